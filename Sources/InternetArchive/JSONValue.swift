import Foundation

/// Reading untrusted JSON values from `JSONSerialization` without crashing on a wrong type.
enum JSONValue {
    /// A string, or a number written as a string.
    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber where !isBoolean(number): return number.stringValue
        default: return nil
        }
    }

    /// A string or a list of strings (IA sends lists for repeated fields) as a list; other values are dropped.
    static func strings(_ value: Any?) -> [String] {
        if let list = value as? [Any] { return list.compactMap { string($0) } }
        return string(value).map { [$0] } ?? []
    }

    /// An integer given as a JSON integer or as a decimal string (IA sends sizes both ways).
    static func int64(_ value: Any?) -> Int64? {
        switch value {
        case let text as String: return Int64(text.trimmingCharacters(in: .whitespaces))
        case let number as NSNumber where isInteger(number): return number.int64Value
        case let number as NSNumber where !isBoolean(number):
            let double = number.doubleValue
            return double.isFinite && double == double.rounded() && abs(double) < 9e18 ? Int64(double) : nil
        default: return nil
        }
    }

    /// True only for a JSON integer whose value is 0 (not `0.0`, not `false`, not `"0"`).
    static func isIntegerZero(_ value: Any?) -> Bool {
        guard let number = value as? NSNumber, isInteger(number) else { return false }
        return number.int64Value == 0
    }

    /// The top-level object of `bytes`, or nil when they are not a JSON object.
    static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        // JSONSerialization makes booleans NSNumbers of type "c" (char); it never makes chars for numbers.
        String(cString: number.objCType) == "c" || "\(type(of: number))".contains("Boolean")
    }

    static func isInteger(_ number: NSNumber) -> Bool {
        guard !isBoolean(number) else { return false }
        switch String(cString: number.objCType) {
        case "i", "s", "l", "q", "I", "S", "L", "Q": return true
        default: return false
        }
    }
}
