namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// The trait that splits the suite in two tiers. Tests that read the real data in <c>../shared</c> or
/// train for more than a few seconds carry <c>[Trait(TestTier.Category, TestTier.Slow)]</c>; the fast
/// tier, <c>dotnet test --filter "Category!=Slow"</c>, runs the rest without <c>../shared</c>.
/// </summary>
public static class TestTier
{
    public const string Category = "Category";
    public const string Slow = "Slow";
}
