import CArchive
import Essentials

/// Lists a tar's members with libarchive's reader, skipping their data, to check it reads to its end.
enum TarReader {
    struct Member {
        /// The member name; nil when libarchive could not give it as text.
        let name: String?
        let size: Int64
        let isRegularFile: Bool
    }

    struct Listing {
        var members: [Member] = []
        /// Why reading stopped early (a truncated or damaged tar), if it did.
        var problem: String?
        /// True when the file ends with the two zero blocks of a finished tar.
        var hasEndMarker = false
    }

    /// Reads every header of the tar at `path`. Never throws: failures are in ``Listing/problem``.
    static func list(_ path: String) -> Listing {
        var listing = Listing()
        guard let archive = archive_read_new() else {
            listing.problem = "libarchive could not start a reader (out of memory)"
            return listing
        }
        defer { archive_read_free(archive) }
        guard archive_read_support_format_tar(archive) == ARCHIVE_OK,
            archive_read_open_filename(archive, path, 1 << 20) == ARCHIVE_OK
        else {
            listing.problem = "cannot be opened as a tar: \(errorString(archive))"
            return listing
        }
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry else {
                // Member names and libarchive's text come from the file: escaped, so the problem stays one line.
                let after = listing.members.last?.name.map { " after member \(MemberName.printable($0))" } ?? ""
                listing.problem = "damaged or truncated\(after): \(errorString(archive))"
                break
            }
            let name =
                archive_entry_pathname_utf8(entry).map { String(cString: $0) }
                ?? archive_entry_pathname(entry).map { String(cString: $0) }
            let member = Member(
                name: name, size: archive_entry_size(entry),
                isRegularFile: archive_entry_filetype(entry) == carchive_ifreg)
            listing.members.append(member)
            if archive_read_data_skip(archive) < ARCHIVE_WARN {
                listing.problem =
                    "truncated inside member \(name.map(MemberName.printable) ?? "?"): \(errorString(archive))"
                break
            }
        }
        listing.hasEndMarker = endsWithZeroBlocks(path)
        return listing
    }

    /// True when the file's length is a multiple of 512 and its last 1024 bytes are zero.
    private static func endsWithZeroBlocks(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 1024, info.st_size % 512 == 0 else { return false }
        var tail = [UInt8](repeating: 1, count: 1024)
        let got = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 1024, info.st_size - 1024) }
        return got == 1024 && tail.allSatisfy { $0 == 0 }
    }

    private static func errorString(_ archive: OpaquePointer) -> String {
        guard let text = archive_error_string(archive) else { return "no reason given" }
        return MemberName.printable(String(cString: text))
    }
}
