using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Hcr.MLNet.Native;

namespace ConsoleDemo;

/// <summary>Options shared by several commands.</summary>
internal static class DemoOptions
{
    public static readonly Option<string> Data = new("--data")
    {
        Description = "Folder with the EMNIST files (official names, gzipped or not); downloaded from NIST when missing",
        DefaultValueFactory = _ => HandwritingRecognizer.DefaultDataDirectory,
    };

    public static readonly Option<EmnistSplit> Split = new("--split")
    {
        Description = "EMNIST split: balanced, byclass, bymerge, digits, letters, mnist",
        DefaultValueFactory = _ => EmnistSplit.Balanced,
    };

    public static readonly Option<EmnistPart?> Part = new("--part")
    {
        Description = "With --holdout: the part to split (train or test); default train",
    };

    public static readonly Option<double?> Holdout = new("--holdout")
    {
        Description = "Train on 1-holdout of --part and evaluate on the rest (stratified, seed 2024); without it, train on the train part and evaluate on the test part",
    };

    public static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "Recognizer file (.hcr)",
        DefaultValueFactory = _ => "model.hcr",
    };

    public static readonly Option<ComputeDevice> Device = new("--device")
    {
        Description = "auto (CUDA when available), cpu or cuda",
        DefaultValueFactory = _ => ComputeDevice.Auto,
    };

    public static IEnumerable<Option> DataOptions => [Data, Split, Part, Holdout];

    static DemoOptions()
    {
        Holdout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is double h && !(h > 0 && h < 1))
                result.AddError("--holdout must be between 0 and 1, for example 0.1.");
        });
    }
}
