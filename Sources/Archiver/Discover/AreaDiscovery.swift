import Essentials
import Foundation
import InternetArchive
import Mapillary
import SQLiteStore

/// What a finished `discover` found: every creator with the images seen in the area, most first.
public struct DiscoveryResult: Sendable {
    public struct Creator: Sendable, Equatable {
        /// As the API gave it (untrusted: sanitise before showing it).
        public let username: String
        public let images: Int
    }

    public let area: DiscoveryArea
    public let creators: [Creator]
    /// Images listed without a creator.
    public let imagesWithoutCreator: Int
    public let tiles: Int
    /// Requests answered, over every run of this discovery.
    public let requests: Int
    /// Pieces that stayed capped at the smallest box and one second (their counts are lower bounds).
    public let incomplete: [String]
    /// Seconds this run took.
    public let seconds: Double
    public let statePath: String

    /// Distinct images seen.
    public var images: Int { creators.reduce(imagesWithoutCreator) { $0 + $1.images } }
}

/// `discover`: lists who made the images of an area, tile by tile, splitting every answer that may have been
/// capped, with its progress saved so that a killed run continues where it stopped.
public final class AreaDiscovery: Sendable {
    let options: DiscoveryOptions
    let env: RunEnvironment
    let client: MapillaryClient

    public init(options: DiscoveryOptions, env: RunEnvironment) {
        self.options = options
        self.env = env
        client = MapillaryClient(
            http: env.http, apiBase: options.apiURL, token: options.token, retry: options.retry,
            logger: env.hub.logger("mapillary"))
    }

    private enum Outcome: Sendable {
        case finished(DiscoveryState.OpenPiece)
        case split(DiscoveryState.OpenPiece, into: [DiscoveryState.OpenPiece])
    }

    /// Surveys the area (or what is left of it) and tallies the state. Throws ``ArchiverError``: the state
    /// stays, so the same command continues.
    public func run() async throws -> DiscoveryResult {
        let started = Date()
        let area = options.area
        let disk = CPUWorkerPool(threadCount: 1)
        defer { disk.shutdown() }
        let state: DiscoveryState
        do {
            try DurableFile.makeDirectories(DurableFile.parentDirectory(of: options.statePath))
            state = try await disk.run { [options] in
                try DiscoveryState(path: options.statePath, area: area, apiBase: options.apiURL)
            }
        } catch {
            throw Self.failure(error, statePath: nil)
        }
        defer { state.close() }
        do {
            try await survey(state: state, disk: disk)
            let tally = try await disk.run { try state.tally() }
            return DiscoveryResult(
                area: area,
                creators: tally.creators.map { DiscoveryResult.Creator(username: $0.username, images: $0.images) },
                imagesWithoutCreator: tally.imagesWithoutCreator, tiles: area.tileCount,
                requests: tally.requests, incomplete: tally.incomplete,
                seconds: Date().timeIntervalSince(started), statePath: options.statePath)
        } catch {
            throw Self.failure(error, statePath: options.statePath)
        }
    }

    /// Asks every open piece and every tile not started yet, `concurrency` pieces at a time, depth first.
    private func survey(state: DiscoveryState, disk: CPUWorkerPool) async throws {
        let area = options.area
        var (queue, tilesStarted, seen, requests) = try await disk.run {
            (try state.openPieces(), try state.tilesStarted(), try state.seen(), try state.requests())
        }
        var openPerTile: [Int: Int] = [:]
        for piece in queue { openPerTile[piece.tile, default: 0] += 1 }
        let progress = DiscoveryProgress(
            area: area.description, tiles: area.tileCount,
            tilesDone: tilesStarted - openPerTile.count, creators: seen.creators,
            images: seen.images, requests: requests)
        env.logger.info(
            tilesStarted == 0
                ? "discover \(area): \(ByteFormat.grouped(area.tileCount)) tiles"
                : "discover \(area): continuing, \(ByteFormat.grouped(tilesStarted - openPerTile.count)) of \(ByteFormat.grouped(area.tileCount)) tiles done"
        )
        let console = env.console
        let status = Task {
            while !Task.isCancelled {
                console.status("discover", progress.line())
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer {
            status.cancel()
            console.status("discover", nil)
        }
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var running = 0
            while true {
                while running < max(1, options.concurrency) {
                    let next: DiscoveryState.OpenPiece
                    if let piece = queue.popLast() {
                        next = piece
                    } else if tilesStarted < area.tileCount {
                        let index = tilesStarted
                        next = try await disk.run { try state.startTile(index, box: area.tile(index)) }
                        tilesStarted += 1
                        openPerTile[index] = 1
                    } else {
                        break
                    }
                    group.addTask { try await self.ask(next, state: state, disk: disk, progress: progress) }
                    running += 1
                }
                guard let outcome = try await group.next() else { break }
                running -= 1
                switch outcome {
                case .finished(let piece):
                    openPerTile[piece.tile, default: 1] -= 1
                    if openPerTile[piece.tile] == 0 { openPerTile[piece.tile] = nil }
                case .split(let piece, let children):
                    openPerTile[piece.tile, default: 1] += children.count - 1
                    queue.append(contentsOf: children.reversed())
                }
                progress.tilesDone(tilesStarted - openPerTile.count)
            }
        }
        requests = try await disk.run { try state.requests() }
        env.logger.info(
            "discover \(area): \(ByteFormat.grouped(area.tileCount)) tiles done, \(ByteFormat.grouped(requests)) requests"
        )
    }

    /// Asks one piece page by page, recording each answer; splits it when an answer may have been capped.
    private func ask(
        _ open: DiscoveryState.OpenPiece, state: DiscoveryState, disk: CPUWorkerPool,
        progress: DiscoveryProgress
    ) async throws -> Outcome {
        var url = open.cursor ?? client.firstCreatorPageURL(piece: open.piece, limit: options.pageSize)
        while true {
            let page = try await client.fetchCreatorPage(url: url)
            let names = page.sightings.map(\.username)
            guard page.isPossiblyCapped else {
                let added = try await disk.run { try state.recordPage(of: open, page.sightings, next: page.next) }
                progress.answered(names, added: added)
                guard let next = page.next else { return .finished(open) }
                url = next
                continue
            }
            guard let children = open.piece.split() else {
                let added = try await disk.run { try state.giveUp(open, page.sightings) }
                progress.answered(names, added: added)
                env.logger.warning(
                    "the box \(open.piece.label) still answered a full page of \(page.limitUsed) images within one second of capture time; its creators' counts are lower bounds"
                )
                return .finished(open)
            }
            if open.piece.window == nil, children.first?.window != nil {
                env.logger.notice(
                    "the box \(open.piece.box) holds more images than one answer gives even at its smallest; it is asked in capture-time windows, which cannot list images without a capture time"
                )
            } else {
                env.logger.debug(
                    "a full page without a next link: asking it in \(children.count) pieces",
                    metadata: ["piece": .string(open.piece.label)])
            }
            let stored = try await disk.run { try state.split(open, into: children) }
            progress.answered([], added: 0)
            return .split(open, into: stored)
        }
    }

    /// The one sentence for a failure; with `statePath`, it says that the work so far is kept there.
    static func failure(_ error: any Error, statePath: String?) -> ArchiverError {
        let kept =
            statePath.map { "; what was found so far is kept in \($0): run the same command again to continue" } ?? ""
        switch error {
        case let error as ArchiverError:
            return error
        case let error as MapillaryError:
            return ArchiverError(error.code == .tokenRejected ? .tokenRejected : .io, error.description + kept)
        case is CancellationError:
            return ArchiverError(.io, "interrupted" + kept)
        case let error as SQLiteError:
            return ArchiverError(error.isDiskFull ? .diskFull : .io, error.description)
        default:
            return ArchiverError(.io, "\(error)" + kept)
        }
    }
}

extension AreaDiscovery {
    /// Surveys the area, asks IA which creators are archived already (with `excludeArchivedAt`, one scrape query
    /// for all of them), makes the report and hands it to `deliver` (on a thread that may block: `--enqueue` adds
    /// ``DiscoveryReport/usableUsernames`` to the queue there). The state file is removed after that, so the next
    /// run of the same area asks Mapillary afresh; on any failure it stays for the same command to continue.
    public func report(
        minImages: Int, excludeArchivedAt endpoints: IAEndpoints?,
        deliver: @escaping @Sendable (DiscoveryReport) throws -> Void = { _ in }
    ) async throws -> DiscoveryReport {
        let result = try await run()
        var archived: [String: [String]]?
        if let endpoints {
            let names = result.creators.filter { $0.images >= minImages }.map(\.username)
            do {
                archived = try await ArchivedUserLookup(http: env.http, endpoints: endpoints, retry: options.retry)
                    .archived(among: names)
            } catch {
                throw ArchiverError(
                    .io,
                    "could not ask the Internet Archive which creators are archived already (\(error)); the discovery is kept in \(result.statePath): run the same command again to report it"
                )
            }
        }
        let report = DiscoveryReport(result: result, minImages: minImages, archived: archived)
        let thread = CPUWorkerPool(threadCount: 1)
        defer { thread.shutdown() }
        do {
            try await thread.run { try deliver(report) }
        } catch {
            throw ArchiverError(
                .io, "\(error); the discovery is kept in \(result.statePath): run the same command again to finish it")
        }
        DiscoveryState.remove(path: result.statePath)
        return report
    }
}
