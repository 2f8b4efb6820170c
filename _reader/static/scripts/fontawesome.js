/* Deep & Cheap: stands in for the theme's 1.5 MB Font Awesome script (same file name, so
   html_static_path, copied after the theme's files, replaces it).  The book's icons need no
   script: the theme's stylesheet already carries Font Awesome's web fonts and glyph rules,
   so each <i class="fa-solid fa-..."> is drawn from a font the browser loads on first use
   (about 150 kB, once).  See _reader/reader.py. */
