/// A service started by ``Sandbox`` beside the Mapillary half: the extension point through which
/// the Internet Archive half (S3, metadata, scrape) joins without changing the façade.
///
/// A component adds itself by putting its factory into ``SandboxConfiguration/components`` and is
/// found again with ``Sandbox/component(_:)``. Typed accessors in extensions keep call sites tidy:
///
/// ```swift
/// extension SandboxConfiguration {
///     public var internetArchive: InternetArchiveSandboxOptions? {   // a SandboxComponentFactory
///         get { components.lazy.compactMap { $0 as? InternetArchiveSandboxOptions }.first }
///         set {
///             components.removeAll { $0 is InternetArchiveSandboxOptions }
///             if let newValue { components.append(newValue) }
///         }
///     }
/// }
/// extension Sandbox {
///     public var internetArchive: InternetArchiveSandbox? { component(InternetArchiveSandbox.self) }
/// }
/// ```
///
/// Components read the shared knobs (seed, host, fault rate, latency) from ``SandboxContext``.
public protocol SandboxComponent: AnyObject, Sendable {
    /// Lines for the sandbox banner (URLs, credentials).
    var bannerLines: [String] { get }
    /// Environment variables a client run needs, e.g. `("IA_S3_URL", "http://…")`.
    var environment: [(name: String, value: String)] { get }
    /// Stops the component's servers; called once by ``Sandbox/stop()``.
    func stop()
}

/// Starts one ``SandboxComponent``.
public protocol SandboxComponentFactory: Sendable {
    func start(context: SandboxContext) throws -> any SandboxComponent
}

/// What a component gets from the sandbox when it starts.
public struct SandboxContext: Sendable {
    /// The whole configuration (seed, host, port, fault rate, latency…).
    public let configuration: SandboxConfiguration
    /// A folder private to this component, created before `start`.
    public let dataDirectory: String
    /// The first port offset this component may use (P + offset; 0 when the sandbox port is 0).
    public let firstPortOffset: Int

    /// The port for this component's service number `index`.
    public func port(_ index: Int) -> Int {
        configuration.port(offset: firstPortOffset + index)
    }
}
