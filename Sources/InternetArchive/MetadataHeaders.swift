import Foundation
import HTTPClientKit
import Packaging

/// Item metadata as `x-archive-metaNN-{key}` headers, the way the `ia` client sends it: one header per value,
/// numbered from 00 per key, `_` in the key sent as `--`, values encoded by ``IAEncoding/headerValue(_:)``,
/// empty values skipped.
enum MetadataHeaders {
    /// The headers for `metadata`; throws `.badMetadata` naming the first key IA cannot take.
    static func make(_ metadata: ItemMetadata, identifier: String) throws -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        for field in metadata.fields {
            guard ItemMetadata.isValidKey(field.key) else {
                throw InternetArchiveError(
                    .badMetadata,
                    "the metadata key '\(printable(field.key))' of item "
                        + "\(identifier) is not a valid IA key (it must start with a letter and hold only letters, digits, "
                        + "'.', '_' and '-'); rename the folder .meta/\(printable(field.key))")
            }
            let name = field.key.replacingOccurrences(of: "_", with: "--")
            var index = 0
            for value in field.values where !value.isEmpty {
                let number = index < 10 ? "0\(index)" : "\(index)"
                headers.append(HTTPHeader("x-archive-meta\(number)-\(name)", IAEncoding.headerValue(value)))
                index += 1
            }
        }
        return headers
    }

    /// A key with control characters shown as `?`, for sentences.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }
}
