@echo off
rem `medbench` for an installed MedBench Local (Windows): the app runs the bundled command line, no window.
"%~dp0..\..\medbench-local.exe" --medbench-cli %*
