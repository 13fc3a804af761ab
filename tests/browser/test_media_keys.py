"""Media in a real browser: <img> and <video> tags load a private circle's
attachments through a media key (web-client/js/media-key.js's mediaUrl), with no
bearer token, seeking included; without the key the same tags get nothing."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

from tests.browser.pages import create_circle, signup

# 2 s of 64x48 VP8 (20 frames), made once with PyAV: a video Chromium plays.
WEBM = base64.b64decode(
    "GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibUKHgQJChYECGFOAZwEAAAAAAAWsEU2bdLpNu4tTq4QVSalmU6yB"
    "oU27i1OrhBZUrmtTrIHYTbuMU6uEElTDZ1OsggEbTbuMU6uEHFO7a1OsggUm7AEAAAAAAABZAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAVSalmsirXsYMPQkBNgI1MYXZmNjIuMTIuMTAyV0GNTGF2ZjYyLjEyLjEwMkSJiECfQAAAAAAA"
    "FlSua76uAQAAAAAAADXXgQFzxYhoB/9+IG+VZpyBACK1nIN1bmSIgQCGhVZfVlA4g4EBI+ODhAX14QDghrCBQLqB"
    "MBJUw2fYc3OgY8CAZ8iaRaOHRU5DT0RFUkSHjUxhdmY2Mi4xMi4xMDJzc7JjwItjxYhoB/9+IG+VZmfIoUWjiERV"
    "UkFUSU9ORIeTMDA6MDA6MDIuMDAwMDAwMDAwAB9DtnVDqOeBAKPDgQAAgFADAJ0BKkAAMAAARwiFhYiFhIgCAgJ1"
    "qgP4AgcI1WeZjzfSAP7+4ml//KkP5Uh/KkP/lSH/3T17T17T1/JQAKOugQBkALECAAUQrAAYN/0B+wo4L37Ia9hd"
    "6AUIkPwUs7xDsPaPfY4OzNktMWcJAKO3gQDIgNACAJ0BKkAAMAAEBwiFhYiFhIgVggJ08ma2LmY834WA/vAb3/8s"
    "//2W/7LeM/XFzZDeAKOugQEsALECABAQrAAYN/0B+wo4L37Ia9hd6AUIkPwUs7xDsPaPfY4OzNktMWcJAKOzgQGQ"
    "gNACAJ0BKkAAMAAEBwiFhYiFhIgVggJ08ma4vPMx5vpA/u921/5Kf/eV/ru2/goAo6CBAfQAEQIAEBCsABg3/QO5"
    "WVVXqgEBGvwg/ZrOYrnKYKOxgQJYgLACAJ0BKkAAMAAEBwiFhYiFhIgVggAGjlqupr4gTwD+7qY///jeP8l39u+y"
    "gKOegQK8ADECABAQrAAYAB5V7/QAo8F73dbQ+4piGoIAo52BAyAAMQIAEBCsABgAGk3v9AA2usRzHwD9xfh5AKOg"
    "gQOEADECABAQrAAYAB5V7/QAo8F73dbQ+47pvJNA7gCjn4ED6AAxAgAQEKwAGAAaTe/0ADa6xHMfAP5Sv2yd4gCj"
    "oIEETADxAQAQEKwAGDf8A4o/hx4CQqj8EfacPDYtFtAAo7iBBLCAEAMAnQEqQAAwAAQHCIWFiIWEiBWCAnWqAgbm"
    "NWeZjzfSAP7qZf/8EFtR6YceH22YPoLQAKOugQUUALECABAQrAAYN/0B+wo4L37Ia9hd6AUIkPwUs7xDsPaPfY4O"
    "zNktMWcJAKOpgQV4ANEBABAQrAAYADAoL/QAICOA/ectlGTLFaYc2By62B4tXz0ftICjroEF3ADxAQAQEKwAGAnT"
    "0bcxu5AMESD8DjplqMt5S3lRfIRdZjSRgrWF/pUTP5ijuIEGQIAQAwCdASpAADAABAcIhYWIhYSIFYICdaoCBuY1"
    "Z5mPN9IA/uLgv7gzPq7HD/4ILaj0w4gAo66BBqQAsQIAEBCsABg3/QH7Cjgvfshr2F3oBQiQ/BSzvEOw9o99jg7M"
    "2S0xZwkAo7iBBwiAEAMAnQEqQAAwAAQHCIWFiIWEiBWCAnWqAgbmQP30Js8uAP7cUf8OVPp29j/43jwK8l2OgKOu"
    "gQdsALECABAQrAAYN/0B+wo4L37Ia9hd6AUIkPwUs7xDsPaPfY4OzNktMWcJABxTu2tAgLuPs4EAt4r3gQHxggF4"
    "8IEDu4+zgci3iveBAfGCAXjwgXi7kLOCAZC3iveBAfGCAXjwgeG7kbOCAli3i/eBAfGCAXjwggE4u5GzggSwt4v3"
    "gQHxggF48IICD7uRs4IGQLeL94EB8YIBePCCAtS7kbOCBwi3i/eBAfGCAXjwggM+"
)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (0, 90, 200)).save(out, "PNG")
    return out.getvalue()


UPLOAD = """async ([circle, name, bytes]) => {
    const token = JSON.parse(localStorage.getItem('quanzi.session')).token;
    const response = await fetch(`/api/v1/circles/${circle}/uploads?name=${name}`, {
        method: 'POST', headers: { Authorization: `Bearer ${token}` },
        body: new Uint8Array(bytes),
    });
    if (response.status !== 201) throw new Error(`upload: ${response.status}`);
    return response.json();
}"""

# The tags as a view would make them: src from mediaUrl() (or the bare url), no headers.
SHOW = """async ([photo, film, keyed]) => {
    const api = await import('/js/api.js');
    api.setToken(JSON.parse(localStorage.getItem('quanzi.session')).token);
    const { mediaUrl } = await import('/js/media-key.js');
    const src = async (url) => (keyed ? mediaUrl(url) : url);
    const loaded = (element, event) => new Promise((resolve) => {
        element.addEventListener(event, () => resolve(true), { once: true });
        element.addEventListener('error', () => resolve(false), { once: true });
    });
    const image = async (url) => {
        const img = document.createElement('img');
        const done = loaded(img, 'load');
        img.src = await src(url);
        document.body.append(img);
        return (await done) ? img.naturalWidth : 0;
    };
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'auto';
    const ready = loaded(video, 'loadedmetadata');
    video.src = await src(film.url);
    document.body.append(video);
    const playable = await ready;
    let seeked = false;
    if (playable) {
        const done = loaded(video, 'seeked');
        video.currentTime = 1.5;
        seeked = await done;
    }
    return {
        photo: await image(photo.url),
        thumb: await image(photo.thumb_url),
        video: playable ? video.videoWidth : 0,
        seeked,
    };
}"""


def test_img_and_video_tags_load_a_private_circles_media_with_a_key(open_page: Any) -> None:
    page = open_page()
    signup(page, "ann", "Ann")
    circle = create_circle(page, "Family")  # private
    photo = page.evaluate(UPLOAD, [circle, "photo.png", list(png())])
    film = page.evaluate(UPLOAD, [circle, "dance.webm", list(WEBM)])
    assert film["kind"] == "video", film
    shown = page.evaluate(SHOW, [photo, film, True])
    assert shown == {"photo": 640, "thumb": 480, "video": 64, "seeked": True}
    bare = page.evaluate(SHOW, [photo, film, False])
    assert bare == {"photo": 0, "thumb": 0, "video": 0, "seeked": False}
    assert page.errors == []
