using System.Reflection;
using Hcr.MLNet.Tests.TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Hcr.MLNet.Tests.Data;

/// <summary>
/// How a run decides what to skip: a fresh clone's <c>dotnet test</c> runs the fast tier and lists the rest as skipped with
/// how to run it; <c>HCR_TESTS=all</c> runs the slow tier; <c>CI=true</c> or <c>HCR_REQUIRE_DATA=1</c> runs everything and
/// fails a test whose data is missing.
/// </summary>
public class TestTierTests
{
    private static TestRun Run(params (string Name, string Value)[] variables) =>
        TestRun.From(name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault());

    [Fact]
    public void The_environment_decides_the_tier_and_whether_data_is_required()
    {
        Assert.Equal(new TestRun(RunSlowTier: false, RequireData: false), Run());
        Assert.Equal(new TestRun(RunSlowTier: true, RequireData: false), Run(("HCR_TESTS", "all")));
        Assert.Equal(new TestRun(RunSlowTier: true, RequireData: false), Run(("HCR_TESTS", "ALL")));
        Assert.Equal(new TestRun(RunSlowTier: false, RequireData: false), Run(("HCR_TESTS", "fast")));
        Assert.Equal(new TestRun(RunSlowTier: true, RequireData: true), Run(("CI", "true")));
        Assert.Equal(new TestRun(RunSlowTier: true, RequireData: true), Run(("CI", "True")));
        Assert.Equal(new TestRun(RunSlowTier: false, RequireData: false), Run(("CI", "false")));
        Assert.Equal(new TestRun(RunSlowTier: true, RequireData: true), Run(("HCR_REQUIRE_DATA", "1")));
        // A fork's CI without ../shared: everything runs, what has no data is skipped.
        Assert.Equal(new TestRun(RunSlowTier: true, RequireData: false), Run(("CI", "true"), ("HCR_REQUIRE_DATA", "0")));
    }

    [Fact]
    public void Without_the_data_a_test_is_skipped_saying_where_to_get_it_unless_the_data_is_required()
    {
        using var empty = new TempDirectory();
        string missing = SharedData.MissingMessage(SharedDataSet.Emnist, empty.Path)!;

        string? fresh = Run().SkipReason(slow: true, missing);
        Assert.NotNull(fresh);
        Assert.StartsWith(missing, fresh, StringComparison.Ordinal);
        Assert.Contains("HCR_REQUIRE_DATA=1", fresh, StringComparison.Ordinal); // how to make it a failure
        Assert.Contains("HCR_TESTS=all", fresh, StringComparison.Ordinal); // how to run it once the data is there

        string? all = Run(("HCR_TESTS", "all")).SkipReason(slow: true, missing);
        Assert.NotNull(all);
        Assert.StartsWith(missing, all, StringComparison.Ordinal);
        Assert.DoesNotContain("HCR_TESTS=all", all, StringComparison.Ordinal);

        // Required: the test runs, and SharedData's property throws the same message.
        Assert.Null(Run(("CI", "true")).SkipReason(slow: true, missing));
        Assert.Null(Run(("HCR_REQUIRE_DATA", "1")).SkipReason(slow: true, missing));
        Assert.NotNull(Run(("CI", "true"), ("HCR_REQUIRE_DATA", "0")).SkipReason(slow: true, missing));
    }

    [Fact]
    public void The_slow_tier_is_skipped_saying_how_to_run_it_unless_asked_for()
    {
        string? fresh = Run().SkipReason(slow: true, missingData: null);
        Assert.NotNull(fresh);
        Assert.Contains("HCR_TESTS=all dotnet test", fresh, StringComparison.Ordinal);
        Assert.Contains("Category!=Slow", fresh, StringComparison.Ordinal);

        Assert.Null(Run().SkipReason(slow: false, missingData: null));
        Assert.Null(Run(("HCR_TESTS", "all")).SkipReason(slow: true, missingData: null));
        Assert.Null(Run(("CI", "true")).SkipReason(slow: true, missingData: null));
    }

    [Theory]
    [InlineData(SharedDataSet.Emnist, "HCR_EMNIST_DIR", "https://")]
    [InlineData(SharedDataSet.Dhsd, "HCR_DHSD_DIR", "https://doi.org/")]
    [InlineData(SharedDataSet.SseLetters, "HCR_SSE_LETTERS_DIR", "CharWizard")]
    [InlineData(SharedDataSet.Fonts, "HCR_FONTS_DIR", "SIL OFL")]
    public void Each_data_set_is_looked_for_where_its_variable_says_and_named_with_where_to_get_it(SharedDataSet set, string variable, string source)
    {
        using var empty = new TempDirectory();

        Assert.Equal(empty.Path, SharedData.Location(set, name => name == variable ? empty.Path : null));
        string beside = SharedData.Location(set, _ => null);
        Assert.StartsWith(Path.GetFullPath(Path.Combine(SharedData.RepositoryRoot, "..", "shared", "data")), beside, StringComparison.Ordinal);

        string? message = SharedData.MissingMessage(set, empty.Path);
        Assert.NotNull(message);
        Assert.Contains(empty.Path, message, StringComparison.Ordinal);
        Assert.Contains(variable, message, StringComparison.Ordinal);
        Assert.Contains(source, message, StringComparison.Ordinal);
        Assert.Contains("../shared/data/", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void The_data_sets_are_found_when_there()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("data.csv"), "file_name,text,writer_id\n");
        Assert.Null(SharedData.MissingMessage(SharedDataSet.Dhsd, dir.Path));
        Assert.NotNull(SharedData.MissingMessage(SharedDataSet.SseLetters, dir.Path));
        File.WriteAllBytes(dir.File("2024-frame_1.jpg"), [0xFF, 0xD8]);
        Assert.Null(SharedData.MissingMessage(SharedDataSet.SseLetters, dir.Path));
    }

    [Fact]
    public void Xunit_discovers_the_tier_attributes_with_the_slow_trait_and_this_runs_skip_reason()
    {
        Dictionary<string, ITestCase> found = Discover(typeof(TierSamples));

        ITestCase plain = found[nameof(TierSamples.Plain)], slow = found[nameof(TierSamples.Slow)], data = found[nameof(TierSamples.NeedsDhsd)];
        Assert.False(plain.Traits.ContainsKey(TestTier.Category));
        Assert.Null(plain.SkipReason);
        Assert.Equal([TestTier.Slow], slow.Traits[TestTier.Category]);
        Assert.Equal(TestTier.Current.SkipReason(slow: true, missingData: null), slow.SkipReason);
        Assert.Equal([TestTier.Slow], data.Traits[TestTier.Category]);
        Assert.Equal(TestTier.Current.SkipReason(slow: true, SharedData.Missing(SharedDataSet.Dhsd)), data.SkipReason);
        Assert.Equal([TestTier.Slow], found[nameof(TierSamples.SlowTheory)].Traits[TestTier.Category]);
    }

    [Fact]
    public void No_test_is_put_in_the_slow_tier_by_a_bare_trait()
    {
        // A bare [Trait("Category", "Slow")] would leave the test out of the fast filter but run it (and fail it without data)
        // in a plain dotnet test: the tier attributes mark and skip together.
        string[] bare = typeof(TestTierTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods().Cast<MemberInfo>().Append(t))
            .Where(m => m.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
                && a.ConstructorArguments.Select(c => c.Value as string).SequenceEqual([TestTier.Category, TestTier.Slow])))
            .Select(m => m is Type t ? t.FullName! : $"{m.DeclaringType!.FullName}.{m.Name}")
            .Distinct().ToArray();
        Assert.True(bare.Length == 0, "use [SlowFact], [SlowTheory] or [DataFact(...)] instead of the Slow trait on: " + string.Join(", ", bare));
    }

    /// <summary>The test cases xunit's own discoverer finds in <paramref name="type"/>, by method name.</summary>
    private static Dictionary<string, ITestCase> Discover(Type type)
    {
        using var sink = new DiscoverySink();
        var discoverer = new XunitTestFrameworkDiscoverer(Reflector.Wrap(type.Assembly), new NoSourceInformation(), new NullMessageSink());
        discoverer.Find(type.FullName, false, sink, new DiscoveryOptions());
        Assert.True(sink.Done.WaitOne(TimeSpan.FromMinutes(1)), "discovery did not finish");
        return sink.TestCases.ToDictionary(c => c.TestMethod.Method.Name);
    }

    // xunit's message sinks and providers derive from LongLivedMarshalByRefObject (xUnit3000), for runners that cross app domains.
    private sealed class DiscoverySink : LongLivedMarshalByRefObject, IMessageSink, IDisposable
    {
        public List<ITestCase> TestCases { get; } = [];

        public ManualResetEvent Done { get; } = new(false);

        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestCaseDiscoveryMessage discovered)
                TestCases.Add(discovered.TestCase);
            else if (message is IDiscoveryCompleteMessage)
                Done.Set();
            return true;
        }

        public void Dispose() => Done.Dispose();
    }

    private sealed class NoSourceInformation : LongLivedMarshalByRefObject, ISourceInformationProvider
    {
        public ISourceInformation GetSourceInformation(ITestCase testCase) => new SourceInformation();

        public void Dispose()
        {
        }
    }

    private sealed class DiscoveryOptions : ITestFrameworkDiscoveryOptions
    {
        private readonly Dictionary<string, object?> _values = [];

        public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out object? value) ? (TValue)value! : default!;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
    }

    /// <summary>Tests for <see cref="Discover"/> only: a private class, which the test runner does not look into.</summary>
#pragma warning disable xUnit1000 // private on purpose: these samples fail if run
    private sealed class TierSamples
    {
        [Fact]
        public void Plain() => Assert.Fail("a sample, never run");

        [SlowFact]
        public void Slow() => Assert.Fail("a sample, never run");

        [SlowTheory]
        [InlineData(1)]
        public void SlowTheory(int value) => Assert.Fail($"a sample, never run ({value})");

        [DataFact(SharedDataSet.Dhsd)]
        public void NeedsDhsd() => Assert.Fail("a sample, never run");
    }
#pragma warning restore xUnit1000
}
