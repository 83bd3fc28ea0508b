import HTTPClient
import Testing

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("delays grow exponentially, stay within the cap, and the first attempt does not wait")
    func delays() {
        let policy = RetryPolicy.standard
        #expect(policy.maxAttempts == 8)
        #expect(policy.delay(beforeAttempt: 1) == .zero)
        #expect(policy.ceiling(beforeAttempt: 2) == .milliseconds(500))
        #expect(policy.ceiling(beforeAttempt: 3) == .seconds(1))
        #expect(policy.ceiling(beforeAttempt: 5) == .seconds(4))
        #expect(policy.ceiling(beforeAttempt: 40) == .seconds(60))
        for attempt in 2...12 {
            for _ in 0..<50 {
                let delay = policy.delay(beforeAttempt: attempt)
                #expect(delay >= .zero && delay <= policy.ceiling(beforeAttempt: attempt))
            }
        }
    }

    @Test("run retries transient failures and gives up on others")
    func run() async throws {
        let fast = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        let attempts = Shared(0)
        let value = try await fast.run { attempt in
            attempts.update { $0 = attempt }
            if attempt < 3 { throw HTTPError(.connectionReset, "reset") }
            return "done"
        }
        #expect(value == "done")
        #expect(attempts.current == 3)

        let permanent = Shared(0)
        await #expect(throws: HTTPError.self) {
            try await fast.run { attempt -> Int in
                permanent.update { $0 = attempt }
                throw HTTPError(.bodyTooLarge, "too large")
            }
        }
        #expect(permanent.current == 1)

        let exhausted = Shared(0)
        await #expect(throws: HTTPError.self) {
            try await fast.run { attempt -> Int in
                exhausted.update { $0 = attempt }
                throw HTTPError(.timeout, "slow")
            }
        }
        #expect(exhausted.current == 4)
    }
}
