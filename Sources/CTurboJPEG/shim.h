// TurboJPEG (libjpeg-turbo's simple API).
#ifndef CTURBOJPEG_SHIM_H
#define CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>

static inline int cturbojpeg_pixel_size(int pixelFormat) {
    return (pixelFormat >= 0 && pixelFormat < TJ_NUMPF) ? tjPixelSize[pixelFormat] : 0;
}
#endif
