// libwebp encoder, decoder and mux (for EXIF/XMP/ICC chunks).
#ifndef CWEBP_SHIM_H
#define CWEBP_SHIM_H
#include <webp/encode.h>
#include <webp/decode.h>
#include <webp/mux.h>

/// WebPConfigInit and WebPPictureInit are inline functions taking the ABI version; these forward them.
static inline int cwebp_config_init(WebPConfig *config) { return WebPConfigInit(config); }
static inline int cwebp_config_preset(WebPConfig *config, WebPPreset preset, float quality) { return WebPConfigPreset(config, preset, quality); }
static inline int cwebp_picture_init(WebPPicture *picture) { return WebPPictureInit(picture); }
static inline int cwebp_init_decoder_config(WebPDecoderConfig *config) { return WebPInitDecoderConfig(config); }
static inline WebPMux *cwebp_mux_new(void) { return WebPMuxNew(); }
static inline WebPMux *cwebp_mux_create(const WebPData *data, int copy) { return WebPMuxCreate(data, copy); }
#endif
