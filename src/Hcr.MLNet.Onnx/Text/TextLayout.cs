namespace Hcr.MLNet;

/// <summary>How <see cref="HandwritingTextReader"/> finds the writing in an image.</summary>
public enum TextLayout
{
    /// <summary>
    /// Finds the lines (a word, a line, or a few lines on a page) and reads each: the reading has one
    /// <see cref="TextLineReading"/> per line, top to bottom.
    /// </summary>
    Auto,

    /// <summary>
    /// Reads the whole image as one word or line, as the reader was trained: for images cropped to one field, where
    /// a stray mark above or below should not count as a line of its own.
    /// </summary>
    SingleLine,
}
