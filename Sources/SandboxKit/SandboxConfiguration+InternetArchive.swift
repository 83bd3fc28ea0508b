extension SandboxConfiguration {
    /// The Internet Archive half's settings; nil (the default) leaves it out.
    public var internetArchive: InternetArchiveSandboxConfiguration? {
        get { components.lazy.compactMap { $0 as? InternetArchiveSandboxFactory }.first?.configuration }
        set {
            components.removeAll { $0 is InternetArchiveSandboxFactory }
            if let newValue { components.append(InternetArchiveSandboxFactory(newValue)) }
        }
    }
}

extension Sandbox {
    /// The started Internet Archive half, if configured.
    public var internetArchive: InternetArchiveSandbox? { component(InternetArchiveSandbox.self) }

    /// Stops this sandbox and starts another with its configuration and the same IA URLs, but none of the items
    /// IA held (preloaded ones included): as if IA had lost them, or `sandbox --port P` was restarted. The new
    /// one keeps its data in `dataDirectory` (nil: a temporary folder).
    public func restartedWithEmptyInternetArchive(dataDirectory: String?) throws -> Sandbox {
        var configuration = self.configuration
        if let ia = internetArchive {
            configuration.internetArchive?.s3Port = ia.ports.s3
            configuration.internetArchive?.archivePort = ia.ports.archive
            configuration.internetArchive?.items = []
        }
        configuration.dataDirectory = dataDirectory
        stop()
        return try Sandbox(configuration)
    }
}
