/// MD5 of a file on disk, read in large blocks with constant memory.
public enum FileDigest {
    /// Reads the whole file at `path` and returns its MD5 as lowercase hex, and its size.
    public static func md5(path: String, progress: ((Int64) -> Void)? = nil) throws -> (md5: String, size: Int64) {
        let fd = try SystemCall.onFile("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var md5 = MD5()
        var total: Int64 = 0
        let bufferSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try SystemCall.onFile("read", path) { read(fd, buffer.baseAddress, bufferSize) }
            if n == 0 { break }
            md5.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += Int64(n)
            progress?(total)
        }
        return (md5.hexDigest(), total)
    }
}
