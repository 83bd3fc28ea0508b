import Essentials

extension Duration {
    /// Whole seconds as a person says them in a message: "6h 0m", "45m 30s", "30s".
    var spoken: String { ByteFormat.duration(seconds: Double(components.seconds)) }
}
