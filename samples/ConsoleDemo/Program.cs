using Hcr.MLNet.Data;

// Placeholder until the demo issue: loads one EMNIST part and prints what it holds.
string directory = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "emnist");
try
{
    var data = EmnistDataset.Load(directory, EmnistSplit.ByMerge, EmnistPart.Test);
    Console.WriteLine($"{data.Source}: {data.Count:N0} images, {data.ClassCount} classes");
    int[] counts = data.CountPerClass();
    for (int c = 0; c < data.ClassCount; c++)
        Console.WriteLine($"  {data.Classes[c]}  {counts[c],6:N0}");
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
