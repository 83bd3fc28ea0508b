import Foundation
import HTTPServerKit
import Testing
import TestSupport

/// The children the tests start (readers and the binary) inherit nothing but their three streams.
@Suite struct ChildProcessTests {
    @Test func aChildSeesOnlyItsStandardStreamsAndDefaultSignals() async throws {
        // A listening socket open in this process must not stay open in a child.
        let server = try HTTPServer { _, response in response.send(status: 204) }
        defer { server.stop() }
        // So must a descriptor opened without close-on-exec (the socket above has it).
        let inheritable = open("/dev/null", O_RDONLY)
        try #require(inheritable > 2)
        defer { close(inheritable) }
        let fds = try await ExternalTool.runDetached("ls", ["/proc/self/fd"])
        let childFDs = fds.stdout.split(separator: "\n").compactMap { Int($0) }
        #expect(childFDs.contains(0) && childFDs.contains(1) && childFDs.contains(2), "\(fds.stdout)")
        #expect(!childFDs.contains(Int(inheritable)), "descriptor \(inheritable) leaked into the child: \(childFDs)")
        #expect(childFDs.filter { $0 > 2 }.count <= 1, "only ls's own directory handle besides 0, 1, 2: \(childFDs)")
        let status = try await ExternalTool.runDetached("grep", ["-E", "^Sig(Blk|Ign)", "/proc/self/status"])
        // Signals 1–31 (glibc keeps 32 and 33 for itself): none blocked, none ignored (SIGINT reaches the binary).
        let masks = status.stdout.split(separator: "\n").compactMap {
            UInt64($0.split(separator: "\t").last ?? "", radix: 16)
        }
        #expect(masks.count == 2 && masks.allSatisfy { $0 & 0x7FFF_FFFF == 0 }, "\(status.stdout)")
    }
}
