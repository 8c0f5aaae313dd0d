using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Data;

/// <summary>Options of <see cref="LabeledImageFolder.Load"/>.</summary>
public sealed class LabeledImageFolderOptions
{
    /// <summary>
    /// How each photo becomes an EMNIST-style tile. Use the recognizer's own settings
    /// (<see cref="HandwritingRecognizer.Preprocessing"/>) when the images are to fine-tune or evaluate it, so that
    /// training sees tiles exactly as prediction will. Default: the defaults of <see cref="InkNormalizationOptions"/>.
    /// </summary>
    public InkNormalizationOptions Preprocessing { get; init; } = new();

    /// <summary>How image files are decoded. Default: the defaults of <see cref="CharacterImageLoaderOptions"/>.</summary>
    public CharacterImageLoaderOptions Loader { get; init; } = new();

    /// <summary>
    /// Skip image files that cannot be used (undecodable, too small, no ink, unreadable) and list them in
    /// <see cref="LabeledImageFolder.Skipped"/>, instead of throwing on the first. Default: false.
    /// </summary>
    public bool SkipUnusable { get; init; }

    /// <summary>Receives one report per image file handled (used or skipped). Default: null.</summary>
    public IProgress<LabeledImageFolderProgress>? Progress { get; init; }

    /// <summary>Stops loading between images. Default: none.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>Progress of <see cref="LabeledImageFolder.Load"/>: <paramref name="Done"/> of <paramref name="Total"/> image files handled, the last being <paramref name="Path"/>.</summary>
/// <param name="Done">Image files handled so far, used or skipped.</param>
/// <param name="Total">Image files found in the class folders.</param>
/// <param name="Path">The file just handled.</param>
public readonly record struct LabeledImageFolderProgress(int Done, int Total, string Path);

/// <summary>An image file <see cref="LabeledImageFolder.Load"/> left out because it could not be used.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">Why: the problem, without the path.</param>
public sealed record SkippedImage(string Path, string Reason);
