import Essentials

/// A pair of IA-S3 keys and where they came from. The secret never appears in `description`,
/// `debugDescription` or a `dump`: those show `LOW AKEY…:****`.
public struct IACredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let accessKey: String
    let secretKey: String
    /// Where the keys were found: "--access-key", "IA_ACCESS_KEY_ID", or a config file path.
    public let source: String

    /// Keys given directly. Throws when either is empty or holds whitespace or control characters.
    public init(accessKey: String, secretKey: String, source: String = "--access-key") throws {
        try Self.check(accessKey, what: "access key", source: source)
        try Self.check(secretKey, what: "secret key", source: source)
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.source = source
    }

    /// The keys in effect: `accessKey`+`secretKey` when given (both), else `IA_ACCESS_KEY_ID` and
    /// `IA_SECRET_ACCESS_KEY` (both or neither), else the `ia` client's config file (`$IA_CONFIG_FILE`,
    /// `$XDG_CONFIG_HOME/internetarchive/ia.ini`, `~/.config/internetarchive/ia.ini`, `~/.config/ia.ini`,
    /// `~/.ia`; the first that exists, section `[s3]`, `access` and `secret`).
    public static func resolve(
        accessKey: String? = nil, secretKey: String? = nil,
        environment: [String: String], home: String?
    ) throws -> IACredentials {
        let given = (accessKey.flatMap(nonEmpty), secretKey.flatMap(nonEmpty))
        switch given {
        case let (access?, secret?):
            return try IACredentials(accessKey: access, secretKey: secret, source: "--access-key")
        case (.some, nil):
            throw InternetArchiveError(
                .credentials,
                "--access-key was given without --secret-key; give both keys "
                    + "from https://archive.org/account/s3.php")
        case (nil, .some):
            throw InternetArchiveError(
                .credentials,
                "--secret-key was given without --access-key; give both keys "
                    + "from https://archive.org/account/s3.php")
        case (nil, nil):
            break
        }
        let fromEnvironment = (
            environment["IA_ACCESS_KEY_ID"].flatMap(nonEmpty),
            environment["IA_SECRET_ACCESS_KEY"].flatMap(nonEmpty)
        )
        switch fromEnvironment {
        case let (access?, secret?):
            return try IACredentials(accessKey: access, secretKey: secret, source: "IA_ACCESS_KEY_ID")
        case (.some, nil):
            throw InternetArchiveError(
                .credentials,
                "IA_ACCESS_KEY_ID is set but IA_SECRET_ACCESS_KEY is not; set "
                    + "both (or neither, to use ia.ini)")
        case (nil, .some):
            throw InternetArchiveError(
                .credentials,
                "IA_SECRET_ACCESS_KEY is set but IA_ACCESS_KEY_ID is not; set "
                    + "both (or neither, to use ia.ini)")
        case (nil, nil):
            break
        }
        if let path = try IAConfigFile.locate(environment: environment, home: home) {
            return try IAConfigFile.credentials(path: path)
        }
        throw InternetArchiveError(
            .credentials,
            "no Internet Archive keys were found; pass --access-key and "
                + "--secret-key, set IA_ACCESS_KEY_ID and IA_SECRET_ACCESS_KEY, or run `ia configure` "
                + "(keys are at https://archive.org/account/s3.php)")
    }

    /// `LOW AKEY…:****`: the Authorization header as it may be shown.
    public var maskedAuthorization: String {
        let shown = accessKey.count >= 8 ? 4 : accessKey.count / 2
        return "LOW " + String(accessKey.prefix(shown)) + "…:****"
    }

    /// Hides the secret key (in every form, see ``SecretMask``) in text that may quote it.
    public var mask: SecretMask { SecretMask([secretKey], marker: "****") }

    /// The real Authorization header value; only ever goes into a request.
    var authorization: String { "LOW " + accessKey + ":" + secretKey }

    public var description: String { "IA keys \(maskedAuthorization) from \(source)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["keys": maskedAuthorization, "source": source]) }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    private static func check(_ key: String, what: String, source: String) throws {
        guard !key.isEmpty else {
            throw InternetArchiveError(
                .credentials,
                "the IA \(what) from \(source) is empty; copy it again from "
                    + "https://archive.org/account/s3.php")
        }
        guard !key.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == ":" }) else {
            throw InternetArchiveError(
                .credentials,
                "the IA \(what) from \(source) contains spaces, colons or control "
                    + "characters; copy it again from https://archive.org/account/s3.php")
        }
    }
}
