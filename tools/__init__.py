"""Tooling: start, scale out, load, benchmark, evaluate, audit and purge. Never imported by
kratom_assistant/ or actions/."""
