"""Quanzi's load-test harness: scenarios driven over real sockets, and the Python floor to compare with.

`python -m loadtests --help`; README.md beside this file is the operator's guide.
"""
