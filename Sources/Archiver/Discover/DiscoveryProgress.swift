import Essentials
import Foundation
import Synchronization

/// What a running `discover` has done, for its status line: tiles, creators, images, requests.
final class DiscoveryProgress: Sendable {
    private struct State {
        var tilesDone = 0
        var tilesDoneAtStart = 0
        var creators: Set<String> = []
        var images = 0
        var requests = 0
    }

    let area: String
    let tiles: Int
    private let started = Date()
    private let state: Mutex<State>

    init(area: String, tiles: Int, tilesDone: Int, creators: Set<String>, images: Int, requests: Int) {
        self.area = area
        self.tiles = tiles
        state = Mutex(
            State(
                tilesDone: tilesDone, tilesDoneAtStart: tilesDone, creators: creators, images: images,
                requests: requests))
    }

    /// One answered request: the images it brought (`added` of them new).
    func answered(_ usernames: some Sequence<String?>, added: Int) {
        state.withLock { s in
            s.requests += 1
            s.images += added
            for case let name? in usernames { s.creators.insert(name) }
        }
    }

    func tilesDone(_ count: Int) {
        state.withLock { $0.tilesDone = count }
    }

    /// `discover 13.2,52.4,13.7,52.9  tiles 12/36 (33%)  14 creators  1,234 images  48 requests  ETA 20s`
    func line() -> String {
        let s = state.withLock { $0 }
        var parts = [
            "discover " + area,
            "tiles \(ByteFormat.grouped(s.tilesDone))/\(ByteFormat.grouped(tiles))"
                + " (\(tiles > 0 ? s.tilesDone * 100 / tiles : 100)%)",
            "\(ByteFormat.grouped(s.creators.count)) creators", "\(ByteFormat.grouped(s.images)) images",
            "\(ByteFormat.grouped(s.requests)) requests",
        ]
        let doneNow = s.tilesDone - s.tilesDoneAtStart
        if doneNow > 0 && s.tilesDone < tiles {
            let perTile = Date().timeIntervalSince(started) / Double(doneNow)
            parts.append("ETA " + ByteFormat.duration(seconds: perTile * Double(tiles - s.tilesDone)))
        }
        return parts.joined(separator: "  ")
    }
}
