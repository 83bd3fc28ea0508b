// libFuzzer's driver, linked by `-sanitize=fuzzer` (compiler-rt's libclang_rt.fuzzer); declared in no system header.
#ifndef CLIBFUZZER_SHIM_H
#define CLIBFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with its command-line flags, calling `callback` once per input; returns the exit status.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
