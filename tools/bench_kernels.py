"""The hot cheaplib kernels against plain-Python references, timed in the same run.

Each kernel is paired with a straightforward implementation of the same mathematics (loops
over subsets, states, sites), checked to agree on every size, and timed over a range of
sizes.  Reported per kernel: the ratio plain/vectorised at the size the book uses, the
first size at which the plain version takes over a second (extrapolated from the fitted
power law when it was not run that far), and the fitted growth exponent of each cost
against the problem size.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

PLAIN_BUDGET = 3.0  # seconds: stop growing a plain reference once one call takes this long


def _best_time(fn: Callable[[], object], min_total: float = 0.2, max_reps: int = 50) -> float:
    """Best-of-several wall time of ``fn()`` (seconds), repeating until ``min_total``."""
    best, total, reps = math.inf, 0.0, 0
    while reps < max_reps and (total < min_total or reps < 3):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, total, reps = min(best, dt), total + dt, reps + 1
        if dt > 1.0:
            break
    return best


# --- plain references -------------------------------------------------------------


def plain_ising_Z(L: int, K: float) -> float:
    """Periodic L x L nearest-neighbour Ising partition function by looping over states."""
    n = L * L
    Z = 0.0
    for state in itertools.product((-1, 1), repeat=n):
        E = 0
        for i in range(L):
            for j in range(L):
                s = state[i * L + j]
                E += s * state[i * L + (j + 1) % L] + s * state[((i + 1) % L) * L + j]
        Z += math.exp(K * E)
    return Z


def plain_swendsen_wang_sweep(
    spins: list[int], L: int, K: float, rng: np.random.Generator
) -> list[int]:
    """One Swendsen-Wang sweep in pure Python: loop over bonds, union-find, loop over sites."""
    n = L * L
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    p_freeze = 1.0 - math.exp(-2.0 * K)
    u = rng.random(2 * n).tolist()
    k = 0
    for i in range(L):
        for j in range(L):
            a = i * L + j
            for b in (i * L + (j + 1) % L, ((i + 1) % L) * L + j):
                if spins[a] == spins[b] and u[k] < p_freeze:
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        parent[ra] = rb
                k += 1
    new_sign: dict[int, int] = {}
    out = []
    for a in range(n):
        r = find(a)
        if r not in new_sign:
            new_sign[r] = 1 if rng.random() < 0.5 else -1
        out.append(new_sign[r])
    return out


@dataclass
class KernelResult:
    """Timings of one kernel against its plain reference.

    ``sizes`` are the sizes in the reader's terms (bits n, side L, length n); ``work`` the
    number of elements each size means (2^n entries, 2^(L*L) states, n), against which
    the growth exponents are fitted; ``to_size`` maps work back to a size.
    """

    name: str
    size_label: str
    work_label: str
    sizes: list[int]
    work: list[float]
    fast: list[float]
    plain: list[float]
    book_size: int
    to_size: Callable[[float], float]
    loop_reference: bool = True

    def exponent(self, times: list[float]) -> float:
        """Slope of log(time) against log(work) (points under 0.1 ms are dropped)."""
        pairs = [(w, t) for w, t in zip(self.work, times, strict=False) if t > 1e-4]
        if len(pairs) < 2:
            pairs = list(zip(self.work, times, strict=False))
        x, y = np.log([p[0] for p in pairs]), np.log([p[1] for p in pairs])
        return float(np.polyfit(x, y, 1)[0])

    def plain_at(self, work: float) -> float:
        """Plain time at ``work``: measured if run there, else along the fitted power law."""
        if work in self.work[: len(self.plain)]:
            return self.plain[self.work.index(work)]
        j = len(self.plain) - 1
        return self.plain[j] * (work / self.work[j]) ** self.exponent(self.plain)

    def plain_over_one_second(self) -> str:
        """The first size at which the plain reference exceeds 1 s (measured or fitted)."""
        for s, t in zip(self.sizes, self.plain, strict=False):
            if t > 1.0:
                return f"{self.size_label}={s} (measured)"
        j = len(self.plain) - 1
        work = self.work[j] * (1.0 / self.plain[j]) ** (1.0 / self.exponent(self.plain))
        return f"{self.size_label}≈{self.to_size(work):.3g} (fitted)"


def _sweep(
    name: str,
    labels: tuple[str, str],
    sizes: list[int],
    book_size: int,
    fast: Callable[[int], Callable[[], object]],
    plain: Callable[[int], Callable[[], object]],
    check: Callable[[int], None],
    work: Callable[[int], float],
    to_size: Callable[[float], float],
    loop_reference: bool = True,
) -> KernelResult:
    fast_t: list[float] = []
    plain_t: list[float] = []
    for s in sizes:
        check(s)
        fast_t.append(_best_time(fast(s)))
        if not plain_t or plain_t[-1] < PLAIN_BUDGET / 4:
            plain_t.append(_best_time(plain(s), min_total=0.0, max_reps=3))
    return KernelResult(
        name,
        labels[0],
        labels[1],
        sizes,
        [work(s) for s in sizes],
        fast_t,
        plain_t,
        book_size,
        to_size,
        loop_reference,
    )


def bench_mobius() -> KernelResult:
    from cheaplib.bitfunctions import bit_coefficients, mobius_transform_bruteforce

    rng = np.random.default_rng(0)
    data = {n: rng.random(2**n) for n in range(4, 15)}

    def check(n: int) -> None:
        if n <= 8:
            np.testing.assert_allclose(
                bit_coefficients(data[n]), mobius_transform_bruteforce(data[n])
            )

    return _sweep(
        "Möbius transform of a function of n bits (eq. 12)",
        ("n", "2^n values"),
        list(range(4, 15)),
        12,
        lambda n: lambda: bit_coefficients(data[n]),
        lambda n: lambda: mobius_transform_bruteforce(data[n]),
        check,
        lambda n: 2.0**n,
        math.log2,
    )


def bench_ising_enumeration() -> KernelResult:
    from cheaplib.ising import exact_partition_function

    K = 0.3

    def check(L: int) -> None:
        if L <= 3:
            Z = exact_partition_function((L, L), K)
            assert math.isclose(float(Z), plain_ising_Z(L, K), rel_tol=1e-9)

    return _sweep(
        "Ising partition function by enumeration (L×L periodic)",
        ("L", "2^(L²) states"),
        [2, 3, 4],
        4,
        lambda L: lambda: exact_partition_function((L, L), K),
        lambda L: lambda: plain_ising_Z(L, K),
        check,
        lambda L: 2.0 ** (L * L),
        lambda w: math.sqrt(math.log2(w)),
    )


def bench_swendsen_wang() -> KernelResult:
    from cheaplib.ising import K_CRITICAL, swendsen_wang

    K = K_CRITICAL
    sizes = [8, 16, 32, 64, 81, 128, 256]
    starts = {L: np.random.default_rng(L).choice([-1, 1], size=(L, L)) for L in sizes}

    def check(L: int) -> None:
        fast = swendsen_wang((L, L), K, 1, np.random.default_rng(0), n_burn=0, init=starts[L])
        plain = plain_swendsen_wang_sweep(
            starts[L].ravel().tolist(), L, K, np.random.default_rng(0)
        )
        assert fast.shape == (1, L, L) and set(np.unique(fast)) <= {-1, 1}
        assert len(plain) == L * L and set(plain) <= {-1, 1}

    return _sweep(
        "Swendsen–Wang sweep of the 2-D Ising model at K_c (L×L)",
        ("L", "L² sites"),
        sizes,
        81,
        lambda L: (
            lambda: swendsen_wang((L, L), K, 1, np.random.default_rng(1), n_burn=0, init=starts[L])
        ),
        lambda L: (
            lambda: plain_swendsen_wang_sweep(
                starts[L].ravel().tolist(), L, K, np.random.default_rng(1)
            )
        ),
        check,
        lambda L: float(L * L),
        math.sqrt,
    )


def bench_fft_factors() -> KernelResult:
    import scipy.sparse as sp

    from cheaplib.flattening import fft_factors

    sizes = [2**k for k in range(4, 13)]
    rng = np.random.default_rng(1)
    vecs = {n: rng.standard_normal(n) + 1j * rng.standard_normal(n) for n in sizes}
    factors = {n: [sp.csr_matrix(f) for f in fft_factors(n)] for n in sizes}
    dense = {n: np.fft.fft(np.eye(n)) for n in sizes}

    def apply_factors(n: int) -> np.ndarray:
        v = vecs[n]
        for f in reversed(factors[n]):
            v = f @ v
        return v

    def check(n: int) -> None:
        np.testing.assert_allclose(apply_factors(n), np.fft.fft(vecs[n]), atol=1e-8 * n)
        np.testing.assert_allclose(dense[n] @ vecs[n], np.fft.fft(vecs[n]), atol=1e-8 * n)

    return _sweep(
        "DFT of a vector: sparse butterfly factors vs the dense n×n matrix",
        ("n", "n"),
        sizes,
        1024,
        lambda n: lambda: apply_factors(n),
        lambda n: lambda: dense[n] @ vecs[n],
        check,
        float,
        float,
        loop_reference=False,
    )


KERNELS: dict[str, Callable[[], KernelResult]] = {
    "mobius": bench_mobius,
    "ising-enumeration": bench_ising_enumeration,
    "swendsen-wang": bench_swendsen_wang,
    "fft-factors": bench_fft_factors,
}


def run_all(names: list[str] | None = None) -> list[KernelResult]:
    """Run the named kernel benchmarks (all by default)."""
    return [KERNELS[n]() for n in (names or list(KERNELS))]


def rows(results: list[KernelResult]) -> list[list[str]]:
    """Table rows: kernel, book size, times, ratio, plain>1s size, growth exponents."""
    out = []
    for r in results:
        i = r.sizes.index(r.book_size)
        fast, plain = r.fast[i], r.plain_at(r.work[i])
        how = "measured" if i < len(r.plain) else "fitted"
        j = len(r.sizes) - 1
        big = r.plain_at(r.work[j]) / r.fast[j]
        big_how = "measured" if j < len(r.plain) else "plain fitted"
        out.append(
            [
                r.name + ("" if r.loop_reference else " (reference: dense BLAS, not a loop)"),
                f"{r.size_label}={r.book_size}",
                f"{fast * 1e3:.3g} ms",
                f"{plain * 1e3:.3g} ms ({how})",
                f"{plain / fast:,.0f}×",
                f"{big:,.0f}× at {r.size_label}={r.sizes[j]} ({big_how})",
                r.plain_over_one_second(),
                f"{r.exponent(r.fast):.2f}",
                f"{r.exponent(r.plain):.2f}",
                r.work_label,
            ]
        )
    return out


HEADER = [
    "kernel",
    "book size",
    "vectorised",
    "plain reference",
    "speed-up",
    "speed-up at the largest size",
    "plain > 1 s at",
    "growth exponent (vectorised)",
    "growth exponent (plain)",
    "exponent of",
]
