import Foundation
import Sandbox
import Testing
import TestSupport

/// The children the tests start (readers and the binary) inherit nothing but their three streams.
@Suite struct ChildProcessTests {
    @Test func aChildSeesOnlyItsStandardStreamsAndDefaultSignals() async throws {
        // A listening socket open in this process must not stay open in a child.
        let server = try HTTPServer { _, response in response.send(status: 204) }
        defer { server.stop() }
        let fds = try await ExternalTool.runDetached("ls", ["/proc/self/fd"])
        let open = fds.stdout.split(separator: "\n").compactMap { Int($0) }
        #expect(open.filter { $0 > 2 }.count <= 1, "only ls's own directory handle besides 0, 1, 2: \(open)")
        let status = try await ExternalTool.runDetached("grep", ["-E", "^Sig(Blk|Ign)", "/proc/self/status"])
        // Signals 1–31 (glibc keeps 32 and 33 for itself): none blocked, none ignored (SIGINT reaches the binary).
        let masks = status.stdout.split(separator: "\n").compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(masks.count == 2 && masks.allSatisfy { $0 & 0x7FFF_FFFF == 0 }, "\(status.stdout)")
    }
}
