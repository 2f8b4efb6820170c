"""Deep & Cheap compute package: the computations behind every chapter of the book.

Layering
--------
Imports go one way (``tests/test_layering.py`` enforces it):

0. Foundations, importable from anywhere: ``validation`` (the one argument-checking
   module), ``claims`` (a check cell's verdict, computed from numbers), ``plotting``
   (figure defaults), ``tables`` (result tables of formatted numbers), ``nets`` (layers,
   networks, activations, softmax) and ``gates`` (multiplication gates and product
   networks).  At their bottom, importing nothing else
   of cheaplib, with ``validation``: ``_typing`` (the array types) and ``_numerics``
   (private helpers shared by several modules: grid, density and distribution checks, the
   Newton maximiser of the likelihood fits; its docstring says why they are private).
1. ``swindle`` — chapter 1: counting, Bayes as a softmax.
2. ``bitfunctions``, ``polynomials``, ``locality`` — chapter 2: Hamiltonians of bits,
   polynomial networks, locality, maximum entropy and symmetry.
3. ``information``, ``markov``, ``sufficiency`` — chapter 3: entropy and eq. (22),
   Markov hierarchies, sufficient statistics and distillation.
4. ``ising``, ``rg`` — chapter 4: the Ising model and renormalization.
5. ``flattening`` — chapter 5: flattening costs and no-flattening theorems.
6. ``flows``, ``inference``, ``diffusion`` — chapter 6: Fokker–Planck flows, dynamical
   Bayesian inference, the diffusion model.
7. ``rbm``, ``rsmi`` — chapter 7: exact restricted Boltzmann machines, mutual-information
   renormalization on the Ising chain.
8. ``maxent`` — chapter 8: exact maximum-entropy models of binarized image patches.
9. ``widgets`` — one widget module per chapter over one framework; nothing below imports it.

A module may import the foundations and modules of its own or an earlier chapter, never a
later chapter's, and never another module's private (``_``) names: what two modules share
lives in ``_numerics`` or is public.  Importing cheaplib has no side effects: no network,
no warning filters, no global random state; randomness comes through an explicit
``numpy.random.Generator``.
"""
