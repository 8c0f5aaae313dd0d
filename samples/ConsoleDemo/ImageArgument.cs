using Hcr.MLNet.Imaging;

namespace ConsoleDemo;

/// <summary>The image argument of <c>predict</c> and <c>read</c>: an image file, or a folder of them.</summary>
internal static class ImageArgument
{
    /// <summary>
    /// The images <paramref name="target"/> names, in order: the file itself, or the files of the folder that
    /// <paramref name="isImage"/> accepts; <paramref name="folder"/> says which. A folder without any is an error, not an
    /// empty answer.
    /// </summary>
    public static string[] Resolve(string target, Func<string, bool> isImage, out bool folder)
    {
        folder = Directory.Exists(target);
        string[] images = folder
            ? Directory.EnumerateFiles(target).Where(isImage).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(target) ? [target] : throw new FileNotFoundException($"No such image file or folder: {target}", target);
        if (images.Length == 0)
            throw new DemoException($"{target} holds no image files ({string.Join(" ", CharacterImageLoader.FileExtensions)}): give an image file, or a folder of them.");
        return images;
    }
}
