// The platform's C library, named once for the whole toolkit: every module that imports Essentials sees it, so no
// other file repeats the `#if canImport(Glibc)` block. System calls that can fail go through ``SystemCall``.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif
