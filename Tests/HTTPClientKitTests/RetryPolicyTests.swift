import HTTPClientKit
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

    private struct Ended: Error { let end: String }

    private static func describe(_ end: RetryEnd<String>) -> any Error {
        switch end {
        case .attemptsExhausted(let reason, let attempts): return Ended(end: "attempts \(attempts) \(reason)")
        case .immediateRetriesExhausted(let reason, let attempts): return Ended(end: "immediate \(attempts) \(reason)")
        case .timeLimit(let reason, let attempts): return Ended(end: "time \(attempts) \(reason)")
        case .cancelled(let reason): return Ended(end: "cancelled \(reason ?? "-")")
        }
    }

    @Test("drive retries until done, telling each retry, and ends with the last failure once attempts run out")
    func driveCountsAttempts() async throws {
        let fast = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        let heard = Shared<[Int]>([])
        let calls = Shared(0)
        let value = try await fast.drive(
            { () async throws -> RetryStep<String, String> in
                calls.update { $0 += 1 }
                return calls.current < 3 ? .retry("reset", after: nil) : .done("done")
            }, willRetry: { attempt, _, _ in heard.update { $0.append(attempt) } }, end: Self.describe)
        #expect(value == "done" && calls.current == 3 && heard.current == [2, 3])

        let exhausted = Shared(0)
        await #expect {
            _ = try await fast.drive(
                { () async throws -> RetryStep<Int, String> in
                    exhausted.update { $0 += 1 }
                    return .retry("slow \(exhausted.current)", after: nil)
                }, end: Self.describe)
        } throws: { ($0 as? Ended)?.end == "attempts 4 slow 4" }
        #expect(exhausted.current == 4)
    }

    @Test("a thrown error stops at once; immediate retries use no attempt but have their own limit")
    func driveStopsAndRetriesAtOnce() async throws {
        let fast = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        let permanent = Shared(0)
        await #expect(throws: HTTPError.self) {
            _ = try await fast.drive(
                { () async throws -> RetryStep<Int, String> in
                    permanent.update { $0 += 1 }
                    throw HTTPError(.bodyTooLarge, "too large")
                }, end: Self.describe)
        }
        #expect(permanent.current == 1)

        let immediate = Shared(0)
        await #expect {
            _ = try await fast.drive(
                immediateRetries: 5,
                { () async throws -> RetryStep<Int, String> in
                    immediate.update { $0 += 1 }
                    return .retryNow("smaller page")
                }, end: Self.describe)
        } throws: { ($0 as? Ended)?.end == "immediate 7 smaller page" }
        #expect(immediate.current == 6, "the first try and five immediate retries")
    }

    @Test("a server's Retry-After lengthens the pause up to its cap; a time limit ends the wait before it starts")
    func driveHonoursRetryAfterAndTimeLimit() async throws {
        let fast = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        let pauses = Shared<[Duration]>([])
        let calls = Shared(0)
        _ = try await fast.drive(
            retryAfterCap: .milliseconds(30),
            { () async throws -> RetryStep<Int, String> in
                calls.update { $0 += 1 }
                return calls.current == 1 ? .retry("429", after: .seconds(3600)) : .done(1)
            }, willRetry: { _, _, pause in pauses.update { $0.append(pause) } }, end: Self.describe)
        #expect(pauses.current == [.milliseconds(30)])

        await #expect {
            _ = try await fast.drive(
                timeLimit: .seconds(1), retryAfterCap: .seconds(10),
                { () async throws -> RetryStep<Int, String> in
                    .retry("429", after: .seconds(5))
                }, end: Self.describe)
        } throws: { ($0 as? Ended)?.end == "time 1 429" }
    }

    @Test("a cancelled task stops before its next attempt")
    func driveStopsWhenCancelled() async throws {
        let calls = Shared(0)
        let task = Task {
            try await RetryPolicy.standard.drive(
                { () async throws -> RetryStep<Int, String> in
                    calls.update { $0 += 1 }
                    withUnsafeCurrentTask { $0?.cancel() }
                    return .retry("reset", after: nil)
                }, end: Self.describe)
        }
        await #expect { _ = try await task.value } throws: { ($0 as? Ended)?.end == "cancelled reset" }
        #expect(calls.current == 1)
    }
}
