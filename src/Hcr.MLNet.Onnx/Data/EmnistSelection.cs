using System.Globalization;

namespace Hcr.MLNet.Data;

/// <summary>
/// Which EMNIST images train a recognizer and which evaluate it: a folder, a split, a part, and how that part is
/// divided. The one implementation of "find (or download) EMNIST and split it with seed 2024" that the recognizer,
/// its builder and the demo share; a recognizer trained on a selection records it (<see cref="HandwritingRecognizer.TrainingData"/>)
/// and saves it with itself.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Holdout"/> null: train on the split's train part, evaluate on its test part.</item>
/// <item><see cref="Holdout"/> 0: train on all of <see cref="Part"/>; nothing is set aside for evaluation.</item>
/// <item><see cref="Holdout"/> between 0 and 1: a stratified split of <see cref="Part"/> with <see cref="Seed"/>: train on
/// <c>1 - Holdout</c> of it, evaluate on the rest. With the ByMerge test part and 0.1 this is the "EMNIST-47 local"
/// protocol (<see cref="LocalProtocol"/>).</item>
/// </list>
/// </remarks>
public sealed record EmnistSelection
{
    /// <summary>The seed of the stratified hold-out split unless one is given: every default split of this library uses it.</summary>
    public const int DefaultSeed = 2024;

    /// <summary>Selects EMNIST images; see the remarks on the class for what <paramref name="holdout"/> means.</summary>
    /// <param name="directory">The folder with the EMNIST files (official names, gzipped or not).</param>
    /// <param name="split">The EMNIST split.</param>
    /// <param name="part">The part that <paramref name="holdout"/> divides; ignored (the train part is trained on) without a hold-out.</param>
    /// <param name="holdout">Null, 0, or the fraction of <paramref name="part"/> set aside for evaluation.</param>
    /// <param name="seed">The seed of the stratified split.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="holdout"/> is not null, 0, or between 0 and 1.</exception>
    public EmnistSelection(string directory, EmnistSplit split = EmnistSplit.Balanced, EmnistPart part = EmnistPart.Train, double? holdout = null,
        int seed = DefaultSeed)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (holdout is double h && !(h >= 0 && h < 1))
            throw new ArgumentOutOfRangeException(nameof(holdout), holdout, "The hold-out must be at least 0 and below 1 (0: train on the whole part).");
        if (!Enum.IsDefined(split))
            throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown EMNIST split.");
        if (!Enum.IsDefined(part))
            throw new ArgumentOutOfRangeException(nameof(part), part, "Unknown EMNIST part.");
        Directory = Path.GetFullPath(directory);
        Split = split;
        Part = holdout is null ? EmnistPart.Train : part;
        Holdout = holdout;
        Seed = seed;
    }

    /// <summary>The "EMNIST-47 local" protocol: 90% of the ByMerge test part to train on, the other 10% to evaluate on.</summary>
    public static EmnistSelection LocalProtocol(string directory) => new(directory, EmnistSplit.ByMerge, EmnistPart.Test, 0.1);

    /// <summary>The folder with the EMNIST files (a full path).</summary>
    public string Directory { get; }

    /// <summary>The EMNIST split.</summary>
    public EmnistSplit Split { get; }

    /// <summary>The part trained on, or divided by <see cref="Holdout"/>: <see cref="EmnistPart.Train"/> when there is no hold-out.</summary>
    public EmnistPart Part { get; }

    /// <summary>Null (train part / test part), 0 (all of <see cref="Part"/>, nothing to evaluate on) or the fraction of <see cref="Part"/> set aside.</summary>
    public double? Holdout { get; }

    /// <summary>The seed of the stratified split (used only with a hold-out above 0).</summary>
    public int Seed { get; }

    /// <summary>Whether some images are set aside for evaluation (the test part, or a hold-out above 0).</summary>
    public bool HasTestImages => Holdout is not 0;

    /// <summary>The part the evaluation images come from: the test part without a hold-out, else <see cref="Part"/>.</summary>
    private EmnistPart TestPart => Holdout is null ? EmnistPart.Test : Part;

    /// <summary>"EMNIST ByMerge test part, 90% / 10% stratified split (seed 2024)", "EMNIST Balanced: train part, test part".</summary>
    public override string ToString()
    {
        string name = $"EMNIST {Split.DisplayName()}";
        return Holdout switch
        {
            null => $"{name}: train part, test part",
            0 => $"{name} {PartName(Part)} part, all of it (no test images)",
            double h => $"{name} {PartName(Part)} part, {Percent(1 - h)} / {Percent(h)} stratified split (seed {Seed})",
        };
    }

    /// <summary>What the images set aside for evaluation are: "EMNIST ByMerge test part, the 10% held out (seed 2024)".</summary>
    public string TestDescription => Holdout switch
    {
        null => $"EMNIST {Split.DisplayName()} test part",
        0 => $"EMNIST {Split.DisplayName()} {PartName(Part)} part, all of it",
        double h => $"EMNIST {Split.DisplayName()} {PartName(Part)} part, the {Percent(h)} held out (seed {Seed})",
    };

    /// <summary>
    /// The official names of the files that training (<paramref name="forTraining"/>) or evaluation needs and the
    /// folder lacks; empty when they are all there. Evaluation without a hold-out needs the test part only.
    /// </summary>
    public IReadOnlyList<string> MissingFiles(bool forTraining) =>
        EmnistDataset.MissingFiles(Directory, Split, forTraining ? Part : TestPart);

    /// <summary>
    /// Downloads the split from NIST (or the archive the options name) into <see cref="Directory"/> when the files that
    /// training (<paramref name="forTraining"/>) or evaluation needs are not there; does nothing when they are.
    /// </summary>
    /// <exception cref="IOException">
    /// The download failed (offline, server error, stalled); the message says what was wanted and how to train without a download.
    /// </exception>
    /// <exception cref="EmnistFormatException">A downloaded file failed verification.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; calling again resumes the download.</exception>
    public Task DownloadIfMissingAsync(bool forTraining = true, EmnistDownloadOptions? options = null, IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        DownloadIfMissingAsync(forTraining, options, progress, "Put the EMNIST files (official names) in a folder and select that folder instead.", cancellationToken);

    /// <summary><see cref="DownloadIfMissingAsync(bool, EmnistDownloadOptions?, IProgress{DownloadProgress}?, CancellationToken)"/>, with the caller's way round an offline machine.</summary>
    internal async Task DownloadIfMissingAsync(bool forTraining, EmnistDownloadOptions? options, IProgress<DownloadProgress>? progress, string offlineHint,
        CancellationToken cancellationToken)
    {
        if (MissingFiles(forTraining).Count == 0)
            return;
        try
        {
            await new EmnistDownloader(options).DownloadAsync(Directory, Split, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A bare HttpRequestException says nothing about the data; this says what was wanted and the way round it.
            throw new IOException(
                $"EMNIST {Split.DisplayName()} is not in {Directory} and downloading it failed: {e.Message} " +
                $"Offline? {offlineHint}", e);
        }
    }

    /// <summary>
    /// Loads the images to train on and those to evaluate on (null with a hold-out of 0, or without a hold-out when the
    /// test part is not in the folder).
    /// </summary>
    /// <exception cref="FileNotFoundException">The files to train on are not in the folder.</exception>
    /// <exception cref="EmnistFormatException">A file is malformed; the message names it.</exception>
    public (EmnistDataset Train, EmnistDataset? Test) Load()
    {
        if (Holdout is null)
        {
            EmnistDataset train = EmnistDataset.Load(Directory, Split, EmnistPart.Train);
            EmnistDataset? test = EmnistDataset.IsPresent(Directory, Split, EmnistPart.Test) ? EmnistDataset.Load(Directory, Split, EmnistPart.Test) : null;
            return (train.From(this, isTest: false), test?.From(this, isTest: true));
        }
        EmnistDataset part = EmnistDataset.Load(Directory, Split, Part);
        if (Holdout is not double h || h == 0)
            return (part.From(this, isTest: false), null);
        (EmnistDataset kept, EmnistDataset heldOut) = part.Split(1 - h, Seed);
        return (kept.From(this, isTest: false), heldOut.From(this, isTest: true));
    }

    /// <summary>
    /// Loads the images set aside for evaluation: the test part, or the held-out side of <see cref="Part"/>; with a
    /// hold-out of 0, all of <see cref="Part"/> (what evaluating "on a part" means).
    /// </summary>
    /// <exception cref="FileNotFoundException">The files are not in the folder.</exception>
    /// <exception cref="EmnistFormatException">A file is malformed; the message names it.</exception>
    public EmnistDataset LoadTest() => Holdout switch
    {
        null => EmnistDataset.Load(Directory, Split, EmnistPart.Test).From(this, isTest: true),
        0 => EmnistDataset.Load(Directory, Split, Part).From(this, isTest: true),
        double h => EmnistDataset.Load(Directory, Split, Part).Split(1 - h, Seed).Test.From(this, isTest: true),
    };

    /// <summary>
    /// Whether a recognizer trained on this selection has seen images that <paramref name="evaluation"/> evaluates on
    /// (<see cref="LoadTest"/>). EMNIST's splits share NIST's images (Balanced is drawn from ByMerge, ByClass and ByMerge
    /// label the same images, …) but every split's train part comes from NIST's training writers and every test part
    /// from its test writers, so only the part decides, whatever the split or folder: the same part is shared unless
    /// both are the same stratified split of it, this one training on one side and <paramref name="evaluation"/>
    /// evaluating on the other.
    /// </summary>
    public bool SharesImagesWith(EmnistSelection evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (Part != evaluation.TestPart)
            return false;
        bool complementary = Holdout is > 0 && evaluation.Holdout == Holdout && evaluation.Seed == Seed && evaluation.Split == Split;
        return !complementary;
    }

    private static string PartName(EmnistPart part) => part.ToString().ToLowerInvariant();

    /// <summary>"10%", "12.5%": the same in every culture (the invariant culture's P format writes "10 %").</summary>
    private static string Percent(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
