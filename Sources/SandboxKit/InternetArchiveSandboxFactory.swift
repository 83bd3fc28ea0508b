/// Starts the Internet Archive half; put it into ``SandboxConfiguration/components`` through
/// ``SandboxConfiguration/internetArchive``.
public struct InternetArchiveSandboxFactory: SandboxComponentFactory {
    public let configuration: InternetArchiveSandboxConfiguration

    public init(_ configuration: InternetArchiveSandboxConfiguration) {
        self.configuration = configuration
    }

    public func start(context: SandboxContext) throws -> any SandboxComponent {
        try InternetArchiveSandbox(configuration: configuration, context: context)
    }
}
