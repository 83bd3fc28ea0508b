import ArgumentParser
import Archiver
import Foundation
import InternetArchive
import Packaging
import Synchronization

/// Option mapping shared by several commands.
enum CommandSupport {
    /// The IA endpoints from the flags, else the environment; a usage error when one is not an http(s) URL.
    static func endpoints(_ options: ArchiveEndpointOptions, environment: [String: String]) throws -> IAEndpoints {
        let fromEnvironment = IAEndpoints.from(environment: environment)
        let endpoints = IAEndpoints(
            s3: options.s3URL ?? fromEnvironment.s3, archive: options.archiveURL ?? fromEnvironment.archive)
        do { try endpoints.validate() } catch { throw ValidationError("\(error)") }
        return endpoints
    }

    /// Resolves IA keys: flags, else environment, else the ia client's config file. A usage error when none are found.
    static func credentials(_ options: CredentialOptions, environment: [String: String]) throws -> IACredentials {
        do {
            return try IACredentials.resolve(
                accessKey: options.accessKey, secretKey: options.secretKey,
                environment: environment, home: environment["HOME"] ?? NSHomeDirectory())
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The upload tuning flags as options, checked by the upload's own rules (S3's part limits and so on): a usage
    /// error before anything starts, never a surprise after the download.
    static func uploadOptions(_ tuning: UploadTuningOptions) throws -> UploadOptions {
        var options = UploadOptions()
        options.derive = !tuning.noDerive
        options.multipartThreshold = UploadOptions.bytes(mebibytes: tuning.multipartThreshold)
        options.partSize = UploadOptions.bytes(mebibytes: tuning.partSize)
        options.verifyTimeout = .seconds(tuning.verifyTimeout)
        options.ingestGrace = .seconds(tuning.ingestGrace)
        do { try options.validate() } catch { throw ValidationError("\(error)") }
        return options
    }

    /// The `--meta KEY=VALUE` settings; a usage error naming the first one refused.
    static func metaOverrides(_ meta: [String]) throws -> [MetaOverride] {
        do { return try meta.map { try MetaOverride(parsing: $0) } } catch { throw ValidationError("\(error)") }
    }

    /// Fails early (usage error) when the templates a run would use cannot be used: `--template-dir`, else the
    /// folder named by MAPILLARY_ARCHIVER_TEMPLATES (see ``ItemTemplates/resolve(templateDirectory:environment:executablePath:)``).
    static func checkTemplates(_ directory: String?) throws {
        do { _ = try ItemTemplates.resolve(templateDirectory: directory) } catch { throw ValidationError("\(error)") }
    }

    /// Runs `body` in a task that the first Ctrl-C (SIGINT) or SIGTERM cancels: work in progress is
    /// committed, the summary is printed, and the same command continues later. A second signal exits at once,
    /// unless it comes within a second of the first: coreutils `timeout` (and some service managers) send SIGTERM
    /// to the process and again to its process group, which is one request to stop, not two.
    static func withInterruptHandling<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await body() }
        let interrupts = Interrupts()
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                switch interrupts.arrived() {
                case .first:
                    try? FileHandle.standardError.write(
                        contentsOf: Data(
                            "\ninterrupted: saving work in progress (press Ctrl-C again to quit at once)\n".utf8))
                    task.cancel()
                case .again:
                    exit(130)
                case .echo:
                    break
                }
            }
            source.resume()
            return source
        }
        let result = await task.value
        sources.forEach { $0.cancel() }
        return result
    }
}

/// When the first interrupt came, for both signals' handlers.
private final class Interrupts: Sendable {
    enum Kind { case first, again, echo }

    private let first = Mutex<ContinuousClock.Instant?>(nil)

    func arrived() -> Kind {
        let now = ContinuousClock.now
        return first.withLock { first in
            guard let at = first else {
                first = now
                return .first
            }
            return now - at < .seconds(1) ? .echo : .again
        }
    }
}
