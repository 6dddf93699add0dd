"""`make fuzz-native`: every C module (setup.py's MODULES) built with AddressSanitizer and
UBSan into a temporary folder and fed generated and mutated inputs, each C result compared with the
Python path it replaces (python -m tools.fuzz_native --help). Not part of `make test`: it is slow."""
