import Archiver
import Foundation
import TestSupport

/// What a download's state says.
struct StateSnapshot: Sendable {
    let listed: Int
    let done: Int
    let listingComplete: Bool
    let cursor: Bool
    let doneIDs: [String]
}

/// Reads a download's state from outside the binary (through `Archiver`'s `ItemStateReader`, on a connection of its
/// own, the way another process would), while the binary runs or after it died.
enum StateProbe {
    /// The state of the item `identifier`: in its staging folder in `cache`, else in the published item in
    /// `output`; nil before the database has its tables.
    static func read(identifier: String, cache: String, output: String) -> StateSnapshot? {
        let staging = cache + "/" + identifier
        let folder = ItemStateReader.databasePath(item: staging) != nil ? staging : output + "/" + identifier
        guard let progress = ItemStateReader.progress(item: folder) else { return nil }
        return StateSnapshot(
            listed: progress.counts.listed, done: progress.counts.done,
            listingComplete: progress.listingComplete, cursor: progress.hasCursor,
            doneIDs: progress.doneIDs.sorted())
    }

    /// Polls the state on a thread of its own (so a busy test process cannot make it late) and sends `signal` to
    /// `process` the moment `condition` holds. Returns true when it did; false when the process ended first or
    /// `timeout` passed.
    static func signal(
        _ process: BinaryProcess, _ signal: Int32, identifier: String, cache: String, output: String,
        timeout: Duration = .seconds(60),
        when condition: @escaping @Sendable (StateSnapshot) -> Bool
    ) async -> Bool {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let clock = ContinuousClock()
                let deadline = clock.now + timeout
                while clock.now < deadline && process.isRunning {
                    // A read can fail while the item is being published (its folder renamed away): just ask again.
                    if let state = read(identifier: identifier, cache: cache, output: output), condition(state) {
                        process.send(signal)
                        continuation.resume(returning: true)
                        return
                    }
                    usleep(10_000)
                }
                continuation.resume(returning: false)
            }
            thread.name = "state-probe"
            thread.start()
        }
    }
}

extension CLIHarness {
    func state(_ user: String) -> StateSnapshot? {
        StateProbe.read(identifier: "mapillary-\(user)-256-webp", cache: cache, output: output)
    }

    /// Waits (while `process` runs) until the state of `user`'s item satisfies `condition`; true when it did.
    func wait(
        for process: BinaryProcess, user: String,
        until condition: @escaping @Sendable (StateSnapshot) -> Bool
    ) async -> Bool {
        // Signal 0 only checks that the process exists.
        await kill(process, user: user, with: 0, when: condition)
    }

    /// Sends `signal` (SIGKILL unless told) to `process` as soon as the state of `user`'s item satisfies
    /// `condition`; true when it did.
    func kill(
        _ process: BinaryProcess, user: String, with signal: Int32 = SIGKILL,
        when condition: @escaping @Sendable (StateSnapshot) -> Bool
    ) async -> Bool {
        await StateProbe.signal(
            process, signal, identifier: "mapillary-\(user)-256-webp", cache: cache, output: output,
            when: condition)
    }
}

extension CLIHarness {
    /// Sends SIGKILL (or `signals`, a tenth of a second apart) to `process` `delay` after the sandbox's CDN has
    /// served `count` more images than it had when this was called. Counted in this process and watched on a thread
    /// of its own, so the kill lands in the middle of the run however loaded the machine (a state read can be late
    /// under load).
    func kill(
        _ process: BinaryProcess, afterImagesServed count: Int, delay: Duration = .zero,
        with signals: [Int32] = [SIGKILL]
    ) {
        let mapillary = self.mapillary
        let before = mapillary.counters.imagesServed
        let (seconds, attoseconds) = delay.components
        let micros = UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let killer = Thread {
            while process.isRunning && mapillary.counters.imagesServed - before < count { usleep(2_000) }
            usleep(micros)
            for (index, signal) in signals.enumerated() {
                if index > 0 { usleep(100_000) }
                process.send(signal)
            }
        }
        killer.name = "kill-after-images-served"
        killer.start()
    }
}
