import Essentials
import Foundation

/// The CDN's files: each (image, quality) generated on first use and cached on disk, so serving is
/// a file send. With `imagesFrom`, real JPEGs from that folder are served instead (cycled).
final class ImageStore: Sendable {
    private let directory: String
    private let configuration: SandboxConfiguration
    private let realJPEGs: [String]

    init(directory: String, configuration: SandboxConfiguration) throws {
        self.directory = directory
        self.configuration = configuration
        try DurableFile.makeDirectories(directory)
        if let folder = configuration.imagesFrom {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder)
            } catch {
                throw SandboxError(.fileAccess, "the images folder \(folder) cannot be read; check --images-from")
            }
            realJPEGs = names.filter {
                let lower = $0.lowercased()
                return !lower.hasPrefix(".") && (lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg"))
            }.sorted().map { folder + "/" + $0 }
            guard !realJPEGs.isEmpty else {
                throw SandboxError(
                    .fileAccess,
                    "the images folder \(folder) holds no .jpg files; put some JPEGs there or drop --images-from")
            }
        } else {
            realJPEGs = []
        }
    }

    /// The file the CDN sends for `image` at `quality`, generating it if needed.
    func path(for image: SandboxImage, quality: SandboxQuality, kind: SandboxConfiguration.UserKind) throws -> String {
        if !realJPEGs.isEmpty, kind != .nonJPEG { return realJPEGs[image.index % realJPEGs.count] }
        let path =
            directory + "/" + quality.rawValue + "/" + Self.fileName(for: image.id)
            + (kind == .nonJPEG ? ".html" : ".jpg")
        if access(path, F_OK) == 0 { return path }
        let bytes = try Self.render(image, quality: quality, kind: kind, configuration: configuration)
        try DurableFile.makeDirectories(directory + "/" + quality.rawValue)
        let temp = path + ".tmp-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SandboxError(
                .fileAccess, "the image cache file \(temp) cannot be created; check the sandbox data folder")
        }
        do {
            try DurableFile.writeAll(fd: fd, bytes: bytes, path: temp)
        } catch {
            close(fd)
            unlink(temp)
            throw SandboxError(
                .fileAccess, "the image cache file \(temp) cannot be written (\(error)); check the sandbox data folder")
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw SandboxError(
                .fileAccess, "the image cache file \(path) cannot be put in place; check the sandbox data folder")
        }
        return path
    }

    /// Exactly the bytes the CDN serves for `image` at `quality`.
    func bytes(for image: SandboxImage, quality: SandboxQuality, kind: SandboxConfiguration.UserKind) throws -> [UInt8]
    {
        let path = try path(for: image, quality: quality, kind: kind)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxError(.fileAccess, "the image file \(path) cannot be read; check the sandbox data folder")
        }
        return [UInt8](data)
    }

    /// The pixel size `image` has at `quality`.
    static func size(of image: SandboxImage, quality: SandboxQuality) -> PixelSize {
        quality.size(forOriginal: PixelSize(width: image.width, height: image.height))
    }

    /// A synthetic JPEG with the camera's own EXIF, or, for the non-JPEG kind, an HTML error page.
    static func render(
        _ image: SandboxImage, quality: SandboxQuality, kind: SandboxConfiguration.UserKind,
        configuration: SandboxConfiguration
    ) throws -> [UInt8] {
        if kind == .nonJPEG {
            return Array(
                "<!DOCTYPE html><html><head><title>Error</title></head><body><p>Sorry, this content isn't available right now (\(CDNURLSigner.percentEncode(image.id)))</p></body></html>\n"
                    .utf8)
        }
        let size = size(of: image, quality: quality)
        let pixelSeed = SandboxRandom.hash(configuration.seed, ["pixels", image.id])
        let jpeg = try SyntheticJPEG.make(
            width: size.width, height: size.height, seed: pixelSeed,
            quality: configuration.jpegQuality)
        return cameraEXIF(for: image, seed: configuration.seed, size: size).inserted(into: jpeg)
    }

    /// The EXIF block the image's camera wrote: local time, exposure values drawn per image.
    static func cameraEXIF(for image: SandboxImage, seed: UInt64, size: PixelSize) -> CameraEXIF {
        var r = SandboxRandom(seed: seed, "exif", image.id)
        // Records without captured_at still came from a camera with a clock.
        let time = image.capturedAt ?? (1_500_000_000_000 + Int64(r.next() % 100_000_000_000))
        let exposures: [UInt32] = [60, 125, 250, 500, 1000, 2000]
        let apertures: [UInt32] = [18, 20, 28, 40, 56]
        let isos: [UInt16] = [50, 100, 200, 400, 800]
        return CameraEXIF(
            make: image.make, model: image.model, software: "SandboxCam Firmware 1.\(r.next() % 10)",
            orientation: 1,
            dateTimeOriginal: SandboxClock.exifDateTime(
                milliseconds: time, offsetMinutes: image.cameraUTCOffsetMinutes),
            exposureTime: (1, exposures[Int(r.next() % UInt64(exposures.count))]),
            fNumber: (apertures[Int(r.next() % UInt64(apertures.count))], 10),
            iso: isos[Int(r.next() % UInt64(isos.count))], pixelSize: size)
    }

    /// The id itself when it is a safe file name, else its MD5 (hostile ids contain `/` or NUL).
    static func fileName(for id: String) -> String {
        let safe =
            !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F
                    || $0 == 0x2D
            }
        return safe ? id : "md5-" + MD5.hex(of: Array(id.utf8))
    }
}
