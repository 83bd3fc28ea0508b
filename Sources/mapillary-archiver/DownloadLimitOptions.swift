import ArgumentParser
import Archiver
import HTTPClientKit

/// How long `download` waits for a slow CDN and for a user in which nothing moves.
struct DownloadLimitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Cut and retry an image transfer that moves fewer bytes per second than this over --speed-time (0: no floor).",
            valueName: "bytes/s"))
    var speedLimit = DownloadOptions.defaultSpeedFloor.bytesPerSecond

    @Option(help: ArgumentHelp("The time over which --speed-limit is measured.", valueName: "seconds"))
    var speedTime = 30

    @Option(
        help: ArgumentHelp(
            "Give a user up for this run after this long without any progress (no listing page, no image data, no image finished); the next run continues.",
            valueName: "seconds"))
    var noProgressTimeout = 600

    func validate() throws {
        guard speedLimit >= 0 else {
            throw ValidationError("--speed-limit must be 0 (no floor) or more bytes per second")
        }
        guard (1...3600).contains(speedTime) else {
            throw ValidationError("--speed-time must be between 1 and 3600 seconds")
        }
        guard noProgressTimeout >= 1 else { throw ValidationError("--no-progress-timeout must be at least 1 second") }
    }

    /// `options` with what these flags control.
    func applied(to options: DownloadOptions) -> DownloadOptions {
        var options = options
        options.speedFloor =
            speedLimit == 0
            ? nil
            : TransferSpeedFloor(bytesPerSecond: speedLimit, window: .seconds(speedTime))
        options.noProgressTimeout = .seconds(noProgressTimeout)
        return options
    }
}
