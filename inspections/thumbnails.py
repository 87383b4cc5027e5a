"""Small copies of photos: what pages, PDF reports and workbooks show.

Made once, on upload, with Pillow: turned upright as the camera's EXIF
orientation says (tablets store portrait photos sideways), scaled to fit
THUMBNAIL_SIZE, and saved as a JPEG without any metadata (no GPS position, no
device serial number). The original is kept as uploaded, served only through
the access-checked download.
"""

import io
import warnings

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (480, 480)
# A photo larger than this is refused as a thumbnail source (a decompression
# bomb: a small file that unpacks into gigabytes); 60 megapixels is more than
# any tablet camera takes.
MAX_PIXELS = 60_000_000


def make_thumbnail(upload) -> ContentFile | None:
    """A JPEG thumbnail of an uploaded image, or None when it cannot be read
    as one (the file is still kept; it shows as its name)."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a smaller scale
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail(THUMBNAIL_SIZE)
                if upright.mode not in ("RGB", "L"):
                    upright = _flatten(upright)
                out = io.BytesIO()
                # A new image carries no EXIF, XMP or ICC data unless given.
                upright.save(out, "JPEG", quality=82, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning, ValueError):
        return None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name="thumbnail.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """A transparent or paletted image on white, as RGB."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
