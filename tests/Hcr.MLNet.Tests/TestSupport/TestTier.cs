namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// The two tiers of the suite. The fast tier runs on a fresh clone with nothing but the SDK, in a few minutes. The slow tier
/// is the tests marked <see cref="SlowFactAttribute"/>, <see cref="SlowTheoryAttribute"/> or <see cref="DataFactAttribute"/>:
/// they train for more than a few seconds, pack the NuGet packages, or read the real data in <c>../shared</c>. They carry the
/// trait <c>Category=Slow</c> (so <c>dotnet test --filter "Category!=Slow"</c> leaves them out) and run only when the run asks
/// for them (<see cref="TestRun"/>); otherwise they are reported as skipped, saying how to run them.
/// </summary>
public static class TestTier
{
    public const string Category = "Category";
    public const string Slow = "Slow";

    /// <summary><c>HCR_TESTS=all</c>: run the slow tier too; a test whose data is missing is skipped, saying where to get it.</summary>
    public const string TestsVariable = "HCR_TESTS";

    /// <summary>The value of <see cref="TestsVariable"/> that asks for every test.</summary>
    public const string AllTests = "all";

    /// <summary>
    /// <c>HCR_REQUIRE_DATA=1</c>, like <c>CI=true</c>: run every test, and fail those whose data is missing (with what to do).
    /// <c>.ci/run</c> sets it, so that CI never depends on its environment to require the data. <c>HCR_REQUIRE_DATA=0</c>
    /// under <c>CI=true</c> (a fork's CI without <c>../shared</c>) runs everything but skips what has no data.
    /// </summary>
    public const string RequireDataVariable = "HCR_REQUIRE_DATA";

    /// <summary>The variable most CI services set to <c>true</c>.</summary>
    public const string CiVariable = "CI";

    /// <summary>This process's run, read once: test discovery decides each skip from it.</summary>
    public static TestRun Current { get; } = TestRun.From(Environment.GetEnvironmentVariable);
}

/// <summary>What a run of the tests is asked to do, from its environment variables.</summary>
/// <param name="RunSlowTier">The slow tier runs (<c>HCR_TESTS=all</c>, <c>CI=true</c> or <c>HCR_REQUIRE_DATA=1</c>).</param>
/// <param name="RequireData">A test whose data is missing fails instead of being skipped (<c>CI=true</c> or <c>HCR_REQUIRE_DATA=1</c>).</param>
public sealed record TestRun(bool RunSlowTier, bool RequireData)
{
    public static TestRun From(Func<string, string?> variable)
    {
        bool ci = Flag(variable(TestTier.CiVariable)) == true;
        bool requireData = Flag(variable(TestTier.RequireDataVariable)) ?? ci;
        bool all = string.Equals(variable(TestTier.TestsVariable)?.Trim(), TestTier.AllTests, StringComparison.OrdinalIgnoreCase);
        return new TestRun(ci || requireData || all, requireData);
    }

    /// <summary>
    /// Why a test is skipped in this run, or null when it runs: <paramref name="slow"/> says it is in the slow tier,
    /// <paramref name="missingData"/> what of its data is missing (null when it needs none or has it).
    /// </summary>
    public string? SkipReason(bool slow, string? missingData)
    {
        if (missingData is not null && !RequireData)
        {
            return $"{missingData} Skipped, not failed, because the data is not required here " +
                   $"({TestTier.CiVariable}=true or {TestTier.RequireDataVariable}=1 requires it)." +
                   (RunSlowTier ? "" : $" With the data in place, {TestTier.TestsVariable}={TestTier.AllTests} runs this slow test.");
        }
        if (slow && !RunSlowTier)
        {
            return $"Slow tier, not run by default: {TestTier.TestsVariable}={TestTier.AllTests} dotnet test runs it " +
                   $"({TestTier.CiVariable}=true or {TestTier.RequireDataVariable}=1 run it and require the data in ../shared); " +
                   "dotnet test --filter \"Category!=Slow\" leaves it out of the list.";
        }
        return null;
    }

    /// <summary>A yes/no variable: null when it is unset or says neither.</summary>
    private static bool? Flag(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" => true,
        "0" or "false" or "no" => false,
        _ => null,
    };
}
