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
}
