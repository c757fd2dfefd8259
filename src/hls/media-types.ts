// src/hls/media-types.ts: the media types of HLS playlists and segments, shared by the HTTP routes and the uploader.

/** RFC 8216 §4: the media type of playlists; Apple's validator calls application/x-mpegURL illegal. */
export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
/** RFC 8216 §3.2: the media type of MPEG-2 transport stream segments. */
export const SEGMENT_TYPE = 'video/mp2t';
