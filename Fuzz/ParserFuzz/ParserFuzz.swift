// parser-fuzz: libFuzzer targets for every parser that reads bytes from outside the program. Built only with
// MAPILLARY_ARCHIVER_FUZZ=1 and `-sanitize=fuzzer` (scripts/fuzz.sh, `make fuzz`); see docs/fuzzing.md.
//
// usage: parser-fuzz TARGET [libFuzzer flags] [CORPUS_DIR...]   fuzz one target (flags as in libFuzzer's -help=1)
//        parser-fuzz seeds DIR                                    write every target's seed corpus to DIR/TARGET/
//        parser-fuzz list                                         name and describe the targets
import CLibFuzzer
import Foundation

@main
enum ParserFuzz {
    static func main() async {
        let arguments = CommandLine.arguments
        switch arguments.dropFirst().first {
        case "list"?:
            for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
        case "seeds"? where arguments.count == 3:
            do {
                try await SeedCorpus.write(into: arguments[2])
            } catch {
                fail("could not write the seed corpus: \(error)")
            }
        case let name? where FuzzTarget.named(name) != nil:
            exit(runLibFuzzer())
        default:
            let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
            fail(
                "usage: parser-fuzz TARGET [libFuzzer flags] [CORPUS_DIR...] | seeds DIR | list (targets: \(names))",
                status: 2)
        }
    }

    /// Hands the process to libFuzzer with the arguments after the target name.
    private static func runLibFuzzer() -> Int32 {
        _ = FuzzTarget.selected  // read from the arguments before they are shifted below
        // Swift's crash backtracer owns these signals; libFuzzer only takes a signal nobody handles, and must
        // take them to save the input that crashed (a failed check, a trap, an out-of-bounds index).
        for signal in [SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV] { _ = Glibc.signal(signal, SIG_DFL) }
        // Drop the target name: libFuzzer reads argv[1...] as its flags and corpus folders.
        let argv = CommandLine.unsafeArgv
        argv[1] = argv[0]
        var count = CommandLine.argc - 1
        var shifted: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv + 1
        return LLVMFuzzerRunDriver(&count, &shifted, fuzzOneInput)
    }
}

/// libFuzzer's entry point: runs the target named on the command line on one input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.selected?.run(input)
    return 0
}

/// Stops the process with `message` on stderr.
func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data(("parser-fuzz: " + message + "\n").utf8))
    exit(status)
}

/// A property every input must keep (what we write we can read again, no secret in a message, …). A broken one
/// traps, so libFuzzer saves the input as a crash like any other.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property broken: \(message())") }
}

/// True when `text` holds no control character that would break a line (or a terminal).
func isOneLine(_ text: String) -> Bool {
    !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
}
