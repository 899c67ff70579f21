"""The harness: settings, notebook set-up and results, running and checking notebooks, the CLI.

- ``config``: paths and switches read from the environment (``COURSE_DATA_DIR``, ``COURSE_FAST``...)
- ``session``: ``setup_notebook``, seeds, ``record`` and reading recorded results back
- ``notebooks``: the output policy, cleaning, executing a notebook with papermill
- ``runner``: ``python -m course_utils run``: the whole course headless, with a summary
- ``export``: generating ``course_utils/lessons/`` from the notebooks' ``#| export`` cells
- ``envcheck``: notebook 00's environment check
- ``site``: ``make site``: the committed notebooks as a static web site that works offline
- ``cli``: ``python -m course_utils ...``
"""
