// The platform's C library, named once for the whole toolkit: every module that imports Essentials sees it, so no
// file outside Essentials repeats the `#if canImport(Glibc)` block. Essentials' own files that call the C library
// import it themselves: a re-export reaches other modules, and a release build (whole-module) refuses a public
// signature whose C type (`mode_t`) its own file did not import. System calls that can fail go through
// ``SystemCall``.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif
