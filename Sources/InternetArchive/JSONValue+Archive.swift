import Essentials
import Foundation

/// How archive.org's JSON answers are read: values may come as strings or numbers, one value or a list.
extension JSONValue {
    /// The top-level object of `bytes`; nil when they are not one JSON object.
    static func archiveObject(_ bytes: [UInt8]) -> [String: JSONValue]? {
        (try? JSONParser.parseDocument(bytes))?.objectValue
    }

    /// A string or a list of strings (IA sends lists for repeated fields) as a list; numbers as their text, other
    /// values dropped.
    var texts: [String] {
        if let list = arrayValue { return list.compactMap(\.scalarText) }
        return scalarText.map { [$0] } ?? []
    }

    /// An integer given as a JSON integer or as a decimal string (IA sends sizes both ways); a number with a
    /// fraction only when it is whole.
    var integerValue: Int64? {
        switch self {
        case .string(let text):
            return Int64(text.trimmingCharacters(in: .whitespaces))
        case .number(let literal):
            if isInteger { return Int64(literal) }
            guard let d = doubleValue, d == d.rounded(), abs(d) < 9e18 else { return nil }
            return Int64(d)
        default:
            return nil
        }
    }
}
