import Foundation

/// The `ia` client's INI config file: where it is, and the `[s3]` keys in it.
enum IAConfigFile {
    /// The first config file that exists, in the `ia` client's order; nil when there is none.
    /// A `$IA_CONFIG_FILE` that does not exist is an error (the user asked for that file).
    static func locate(environment: [String: String], home: String?) throws -> String? {
        if let explicit = environment["IA_CONFIG_FILE"], !explicit.isEmpty {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw InternetArchiveError(
                    .credentials,
                    "IA_CONFIG_FILE names \(explicit), which does not exist; "
                        + "fix the path or unset IA_CONFIG_FILE")
            }
            return explicit
        }
        var candidates: [String] = []
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            candidates.append(xdg + "/internetarchive/ia.ini")
        }
        if let home, !home.isEmpty {
            candidates += [home + "/.config/internetarchive/ia.ini", home + "/.config/ia.ini", home + "/.ia"]
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The `access` and `secret` of section `[s3]` in the INI file at `path`.
    static func credentials(path: String) throws -> IACredentials {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            throw InternetArchiveError(
                .credentials,
                "the IA config file \(path) cannot be read; check its permissions "
                    + "or run `ia configure` again")
        }
        let values = parse(String(decoding: data, as: UTF8.self))["s3"] ?? [:]
        guard let access = values["access"], !access.isEmpty, let secret = values["secret"], !secret.isEmpty else {
            throw InternetArchiveError(
                .credentials,
                "the IA config file \(path) has no [s3] access and secret; run "
                    + "`ia configure` or pass --access-key and --secret-key")
        }
        return try IACredentials(accessKey: access, secretKey: secret, source: path)
    }

    /// Sections (lowercased) → options (lowercased) → values, as Python's configparser reads them:
    /// `key = value` or `key: value`, `#` and `;` comment lines; the last repeat wins.
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces).lowercased()
                continue
            }
            guard let section = current else { continue }
            let separator = line.firstIndex { $0 == "=" || $0 == ":" }
            guard let separator else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        return sections
    }
}
