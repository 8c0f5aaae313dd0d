using System.Globalization;
using Hcr.MLNet.Imaging;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Data;

/// <summary>
/// Your own handwriting as training data: a folder with one subfolder per character, holding photos or scans
/// of that character (the layout of ML.NET's <c>LoadImagesFromDirectory</c> with the folder name as label).
/// <see cref="Load"/> reads every image through the same preprocessing a recognizer applies to photos
/// (<see cref="CharacterImageLoader"/>, then <see cref="InkNormalizer"/>) and gives an <see cref="EmnistDataset"/>
/// of 28×28 tiles, ready for <c>HandwritingRecognizerBuilder.WithData</c>,
/// for fine-tuning (<c>HandwritingRecognizerBuilder.StartingFrom</c>, package Hcr.MLNet) or for <see cref="EmnistDataset.ToDataView"/>.
/// </summary>
/// <remarks>
/// <para>The rules, so that nothing is dropped without a word:</para>
/// <list type="bullet">
/// <item>
/// A class folder's name is its character: one character (<c>a</c>, <c>7</c>, <c>€</c>). Characters a folder
/// cannot be named (<c>/</c>, <c>\</c>, <c>:</c>, <c>*</c>, <c>?</c>, … on Windows), or that a case-insensitive file
/// system would merge (<c>a</c> and <c>A</c> on Windows and macOS), are written <c>U+XXXX</c> with four hex
/// digits: <c>U+002F</c> for <c>/</c>, <c>U+0061</c> for <c>a</c>. Any other name longer than one character is an
/// error naming the folder, as are two folders naming the same character. Folders whose name starts with a dot
/// (<c>.git</c>, <c>.thumbnails</c>) are hidden folders and are ignored.
/// </item>
/// <item>
/// Image files are those whose extension (any case) is one of <see cref="CharacterImageLoader.FileExtensions"/>;
/// other files (<c>notes.txt</c>, <c>Thumbs.db</c>, <c>.DS_Store</c>) are ignored, and so are files directly in
/// the top folder. A file with an image extension that cannot be used (not decodable, too small, no ink,
/// unreadable) is a bad file: by default the first one throws <see cref="UnusableImageException"/> naming its
/// path and the problem; with <see cref="LabeledImageFolderOptions.SkipUnusable"/> every bad file is left out
/// and listed in <see cref="Skipped"/>.
/// </item>
/// <item>
/// A folder inside a class folder is an error naming it: its images would otherwise be either silently left
/// out or given a label the folder name might not mean. Move them up into the class folder.
/// </item>
/// <item>
/// Classes are ordered by character (ordinal), images by class and then by file name (ordinal), so the same
/// folder always gives the same dataset.
/// </item>
/// </list>
/// </remarks>
public sealed class LabeledImageFolder
{
    private const string EscapePrefix = "U+";

    private LabeledImageFolder(string directory, EmnistDataset dataset, IReadOnlyList<string> files, IReadOnlyList<SkippedImage> skipped)
    {
        Directory = directory;
        Dataset = dataset;
        Files = files;
        Skipped = skipped;
    }

    /// <summary>The folder that was read (full path).</summary>
    public string Directory { get; }

    /// <summary>The tiles and their labels; <see cref="EmnistDataset.Source"/> is the folder's path.</summary>
    public EmnistDataset Dataset { get; }

    /// <summary>The file each tile of <see cref="Dataset"/> came from, by image index.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The image files left out as unusable (only with <see cref="LabeledImageFolderOptions.SkipUnusable"/>), with the reason for each.</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <summary>
    /// The class folder name for <paramref name="character"/>: the character itself when it is a letter or digit, or
    /// otherwise the <c>U+XXXX</c> escape (safe on every file system, but see the remarks on letters and case).
    /// </summary>
    public static string FolderName(char character) =>
        char.IsAsciiLetterOrDigit(character) ? character.ToString() : $"{EscapePrefix}{(int)character:X4}";

    /// <summary>Reads the folder; see the class remarks for the layout and the rules.</summary>
    /// <param name="directory">The top folder, holding one subfolder per class.</param>
    /// <param name="options">Preprocessing, skipping, progress; null for the defaults.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The folder has no class subfolders; a class folder's name is not one character or a <c>U+XXXX</c> escape, or
    /// names the same character as another; a class folder holds a folder, or no image files, or (when skipping)
    /// no usable ones. The message names the folder.
    /// </exception>
    /// <exception cref="UnusableImageException">An image file cannot be used (unless skipping); the message names the file and the problem.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    public static LabeledImageFolder Load(string directory, LabeledImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new LabeledImageFolderOptions();
        string root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
            throw new DirectoryNotFoundException($"{root}: the folder of labelled images does not exist.");

        List<(char Character, string Folder, string[] Files)> classes = FindClasses(root);
        var loader = new CharacterImageLoader(options.Loader);
        var normalizer = new InkNormalizer(options.Preprocessing);
        int total = classes.Sum(c => c.Files.Length);

        var pixels = new List<byte>(total * EmnistDataset.PixelsPerImage);
        var labels = new List<int>(total);
        var files = new List<string>(total);
        var skipped = new List<SkippedImage>();
        int done = 0;
        for (int label = 0; label < classes.Count; label++)
        {
            int used = 0;
            foreach (string file in classes[label].Files)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                byte[]? tile = Read(file, loader, normalizer, options.SkipUnusable, skipped);
                if (tile is not null)
                {
                    pixels.AddRange(tile);
                    labels.Add(label);
                    files.Add(file);
                    used++;
                }
                options.Progress?.Report(new LabeledImageFolderProgress(++done, total, file));
            }
            if (used == 0)
            {
                throw new InvalidDataException(
                    $"{classes[label].Folder}: none of the {classes[label].Files.Length} image files of class '{classes[label].Character}' could be used " +
                    $"({string.Join("; ", skipped.Where(s => classes[label].Files.Contains(s.Path)).Take(3).Select(s => $"{Path.GetFileName(s.Path)}: {s.Reason}"))}).");
            }
        }

        EmnistDataset dataset = EmnistDataset.Create(pixels.ToArray(), labels.ToArray(), classes.Select(c => c.Character).ToArray(), root);
        return new LabeledImageFolder(root, dataset, files, skipped);
    }

    /// <summary>The tile of one file; null when it is unusable and skipping is on (then listed in <paramref name="skipped"/>).</summary>
    private static byte[]? Read(string file, CharacterImageLoader loader, InkNormalizer normalizer, bool skip, List<SkippedImage> skipped)
    {
        try
        {
            using MLImage image = loader.Load(file);
            return normalizer.Normalize(image, file).Pixels.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // UnusableImageException is an IOException; a file deleted or locked since the listing is bad in the same way.
            string reason = e is UnusableImageException unusable ? unusable.Problem : e.Message;
            if (!skip && e is UnusableImageException)
                throw;
            if (!skip)
                throw new UnusableImageException(file, reason, e);
            skipped.Add(new SkippedImage(file, reason));
            return null;
        }
    }

    private static List<(char Character, string Folder, string[] Files)> FindClasses(string root)
    {
        var classes = new List<(char Character, string Folder, string[] Files)>();
        var seen = new Dictionary<char, string>();
        foreach (string folder in System.IO.Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            if (name.Length > 1 && name[0] == '.')
                continue; // hidden folder
            char character = ParseClassName(name, folder);
            if (seen.TryGetValue(character, out string? other))
                throw new InvalidDataException($"{folder}: names class '{character}', as {other} does already; keep one folder per character.");
            seen[character] = folder;

            string[] nested = System.IO.Directory.GetDirectories(folder);
            if (nested.Length > 0)
            {
                throw new InvalidDataException(
                    $"{nested.Order(StringComparer.Ordinal).First()}: a folder inside class folder '{name}'. Class folders hold image files only; move its images up into {folder}.");
            }
            string[] files = System.IO.Directory.GetFiles(folder)
                .Where(IsImageFile)
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0)
            {
                throw new InvalidDataException(
                    $"{folder}: class folder '{name}' has no image files ({string.Join(" ", CharacterImageLoader.FileExtensions)}); remove it or add images.");
            }
            classes.Add((character, folder, files));
        }
        if (classes.Count == 0)
            throw new InvalidDataException($"{root}: no class folders. Put each character's images in a subfolder named after the character (for example a/, b/, U+002F/ for '/').");
        classes.Sort((a, b) => a.Character.CompareTo(b.Character));
        return classes;
    }

    private static bool IsImageFile(string path)
    {
        string extension = Path.GetExtension(path);
        return CharacterImageLoader.FileExtensions.Any(e => string.Equals(e, extension, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>One character, or <c>U+XXXX</c> (four hex digits, any case) for one that cannot or should not be a folder name.</summary>
    private static char ParseClassName(string name, string folder)
    {
        char? parsed = null;
        if (name.Length == 1)
        {
            parsed = name[0];
        }
        else if (name.Length == EscapePrefix.Length + 4
            && name.StartsWith(EscapePrefix, StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(name.AsSpan(EscapePrefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code)
            && !char.IsSurrogate((char)code))
        {
            parsed = (char)code;
        }
        if (parsed is not char character)
        {
            throw new InvalidDataException(
                $"{folder}: a class folder's name must be its one character (or U+XXXX, four hex digits, for a character a folder cannot be named), not '{name}'.");
        }
        // A control character (U+0000, TAB, newline) or a noncharacter (U+FFFF, U+FDD0…) is no handwritten character, and
        // would corrupt every list, message and file that later prints the class.
        if (char.IsControl(character) || IsNoncharacter(character))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{folder}: U+{(int)character:X4} is a control character or a Unicode noncharacter, not a character that can be handwritten; rename or remove the folder."));
        }
        return character;
    }

    private static bool IsNoncharacter(char c) => (c is >= '\uFDD0' and <= '\uFDEF') || (c & 0xFFFE) == 0xFFFE;
}
