"""Reading op specs written in tt-metal's formats into one ``OpSpec`` (``scaffolder.model``).

* ``markdown``    headings, tables, bold fields, wrapped list items and code blocks, with line numbers
* ``detect``      which format a document is (planner, architect, newer design, kernel_design supplement)
* ``tables``      tables recognised by their header: parameters, input requirements, CBs, kernel args,
                  broadcast checks, TDD stages
* ``cb_ids``      CB ids in their spellings (``c_0``, ``0``, ``c_0 (0)``, ``CBIndex::c_0``, ``cb_x (c_1)``)
* ``expressions`` page counts as checked arithmetic (``Wt``, ``2*blk``, ``2 if has_partial_w else 1``)
* ``shapes``      test shapes and tolerances in their notations
* ``phases``      compute phases from a phase table, ``Phase N:`` headings or ``Compute:`` data-flow lines
* ``parser``      the entry point, ``parse_spec(path, design=None, name=None)``; errors carry file and line
"""
