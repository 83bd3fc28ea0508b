// Within Essentials each file imports the C library itself (Platform.swift re-exports it to other modules only).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MD5 of a file on disk, read in large blocks with constant memory.
public enum FileDigest {
    /// Reads the whole file at `path` and returns its MD5 as lowercase hex, and its size.
    public static func md5(path: String, progress: ((Int64) -> Void)? = nil) throws -> (md5: String, size: Int64) {
        let fd = try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var md5 = MD5()
        let size = try forEachBlock(of: fd, path: path) { block, done in
            md5.update(block)
            progress?(done)
        }
        return (md5.hexDigest(), size)
    }

    /// Hands the `length` bytes of `fd` from `offset` (fewer when the file ends first) to `body` in blocks of up to
    /// 1 MiB, each with the count read so far; returns that count. `path` names the file in a ``FileError``.
    public static func forEachBlock(
        of fd: Int32, path: String, offset: Int64 = 0, length: Int64 = .max,
        _ body: (UnsafeRawBufferPointer, Int64) throws -> Void
    ) throws -> Int64 {
        let blockSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let want = Int(min(Int64(blockSize), length - done))
            let got = try SystemCall.onFile("read", path) { pread(fd, buffer.baseAddress, want, off_t(offset + done)) }
            if got == 0 { break }
            done += Int64(got)
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<got]), done)
        }
        return done
    }
}
