"""Write the real-world HDF5 files under tests/data/real/ with the real programs.

Not part of the test run and not a project dependency: run it by hand, in a scratch venv kept
outside the repository, when the files need to be made again::

    python3 -m venv /tmp/realvenv
    /tmp/realvenv/bin/pip install silx fabio pyFAI PyMca5
    /tmp/realvenv/bin/python tests/data/real/make_real_files.py

    python3 -m venv /tmp/realvenv-silx2      # for EDF, see SILX_FOR_EDF below
    /tmp/realvenv-silx2/bin/pip install silx==2.2.2
    SILX_FOR_EDF=/tmp/realvenv-silx2/bin/silx /tmp/realvenv/bin/python \
        tests/data/real/make_real_files.py

The exact versions used are written to versions.txt next to the files. Every input is tiny
and synthetic and written by this script into a temporary folder; only the outputs are kept. The programs are used as a user would: the ``silx convert``
and ``pyFAI-integrate`` command lines, pyFAI's NeXus writers on an ``integrate1d`` result, and
PyMca's batch fast XRF fit writing its HDF5 output. The Bliss-like master file is written with
h5py (Bliss itself is not on PyPI), copying the shape of a real Bliss dataset file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
# silx 3.1.3 cannot convert any EDF file: its fabio bridge turns text header values into
# numpy.str_, which h5py cannot store ("No conversion path for dtype: dtype('<U11')"). The
# EDF conversions were therefore made with silx 2.2.2 from a second scratch venv, named here.
SILX_FOR_EDF = Path(os.environ.get("SILX_FOR_EDF", BIN / "silx"))


def run(*argv, cwd):
    print("$", " ".join(str(a) for a in argv))
    subprocess.run([str(a) for a in argv], cwd=cwd, check=True, env={**os.environ,
                   "QT_QPA_PLATFORM": "offscreen", "OMP_NUM_THREADS": "1"})


# --- silx convert --------------------------------------------------------------------------------

SPEC = """\
#F scans.spec
#E 1700000000
#D Tue Nov 14 10:00:00 2023
#C tiny  User = nxschema
#O0 samx  samy  samz  th

#S 1 ascan  samx 0 1 4 0.1
#D Tue Nov 14 10:01:00 2023
#T 0.1  (Seconds)
#G0 0
#P0 0 1.5 -2 10.25
#N 4
#L samx  Epoch  Seconds  mon  det
0 1 0.1 1000 12
0.25 2 0.1 1001 15
0.5 3 0.1 998 30
0.75 4 0.1 1002 17
1 5 0.1 1000 11

#S 2 timescan  0.5
#D Tue Nov 14 10:02:00 2023
#T 0.5  (Seconds)
#P0 1 1.5 -2 10.25
#@MCA 16C
#@CHANN 8 0 7 1
#@CALIB 0.1 0.01 0
#N 3
#L Epoch  Seconds  mon  det
@A 1 2 3 9 20 9 3 1
10 0.5 5000 60
@A 0 2 4 8 22 7 2 1
11 0.5 5003 62
@A 1 1 3 10 19 9 2 0
12 0.5 4999 58
"""


def silx_files(tmp: Path) -> list[str]:
    import fabio.edfimage

    (tmp / "scans.spec").write_text(SPEC)
    run(BIN / "silx", "convert", "scans.spec", "-m", "w", "-o", HERE / "silx_spec.h5", cwd=tmp)

    y, x = np.mgrid[0:24, 0:32]
    image = (100 * np.exp(-((x - 15) ** 2 + (y - 11) ** 2) / 30.0)).astype(np.uint16)
    header = {"ExposureTime": "0.5", "motor_mne": "samx samy", "motor_pos": "0.5 1.5",
              "counter_mne": "mon det", "counter_pos": "1000 12", "title": "tiny image"}
    fabio.edfimage.EdfImage(data=image, header=header).write(str(tmp / "image.edf"))
    run(SILX_FOR_EDF, "convert", "image.edf", "-m", "w", "-o", HERE / "silx_edf.h5", cwd=tmp)

    for i in range(3):  # a series of frames merged into one stack, as --file-pattern does
        frame = (image // (i + 1)).astype(np.uint16)
        fabio.edfimage.EdfImage(data=frame, header={**header, "frame": str(i)}).write(
            str(tmp / f"frame_{i:04d}.edf"))
    run(SILX_FOR_EDF, "convert", "--file-pattern", "frame_%04d.edf", "--begin", "0", "--end",
        "2", "-m", "w", "-o", HERE / "silx_edf_stack.h5", cwd=tmp)
    return ["silx_spec.h5", "silx_edf.h5", "silx_edf_stack.h5"]


# --- pyFAI ---------------------------------------------------------------------------------------

def pyfai_setup(tmp: Path):
    import fabio.edfimage
    from pyFAI.detectors import Detector
    from pyFAI.integrator.azimuthal import AzimuthalIntegrator

    detector = Detector(pixel1=1e-4, pixel2=1e-4, max_shape=(48, 64))
    ai = AzimuthalIntegrator(dist=0.05, poni1=24e-4, poni2=32e-4, detector=detector,
                             wavelength=1e-10)
    tth = ai.center_array(unit="2th_deg")  # synthetic powder rings
    image = (50 + 400 * np.exp(-((tth - 3.0) / 0.3) ** 2)).astype(np.float32)
    fabio.edfimage.EdfImage(data=image, header={"mon": "1000"}).write(str(tmp / "powder.edf"))
    return ai, image


def pyfai_files(tmp: Path) -> list[str]:
    from pyFAI.io.nexus import save_NXazint1d, save_NXcansas, save_NXmonpd

    ai, image = pyfai_setup(tmp)
    result = ai.integrate1d(image, 40, unit="2th_deg", error_model="poisson")
    save_NXmonpd(str(HERE / "pyfai_nxmonpd.h5"), result, sample="powder")
    result_q = ai.integrate1d(image, 40, unit="q_A^-1", error_model="poisson")
    save_NXcansas(str(HERE / "pyfai_nxcansas.h5"), result_q, sample="powder")
    save_NXazint1d(str(HERE / "pyfai_nxazint1d.h5"), result, sample="powder")

    # The pyFAI-integrate command line, without its GUI, writing HDF5 (its HDF5Writer).
    poni = json.loads(json.dumps(ai.get_config(), default=int))  # as pyFAI-calib2 saves it
    config = {"application": "pyfai-integrate", "version": 4, "poni": poni,
              "do_2D": False, "nbpt_rad": 40, "unit": "2th_deg", "method": ["bbox", "csr",
              "cython"], "error_model": "poisson", "do_solid_angle": True}
    (tmp / "integrate.json").write_text(json.dumps(config))
    out = HERE / "pyfai_integrate.h5"
    if out.exists():
        out.unlink()
    run(BIN / "pyFAI-integrate", "--no-gui", "-j", "integrate.json", "-o", out, "powder.edf",
        cwd=tmp)
    # The same, caked: a 2-D integration (azimuthal x radial).
    config.update({"do_2D": True, "nbpt_azim": 36})
    (tmp / "integrate2d.json").write_text(json.dumps(config))
    out = HERE / "pyfai_integrate2d.h5"
    if out.exists():
        out.unlink()
    run(BIN / "pyFAI-integrate", "--no-gui", "-j", "integrate2d.json", "-o", out, "powder.edf",
        cwd=tmp)
    return ["pyfai_nxmonpd.h5", "pyfai_nxcansas.h5", "pyfai_nxazint1d.h5", "pyfai_integrate.h5",
            "pyfai_integrate2d.h5"]


# --- PyMca ---------------------------------------------------------------------------------------

def pymca_files(tmp: Path) -> list[str]:
    from PyMca5 import PyMcaDataDir
    from PyMca5.PyMcaIO import ConfigDict
    from PyMca5.PyMcaPhysics.xrf import FastXRFLinearFit
    from PyMca5.PyMcaPhysics.xrf.XRFBatchFitOutput import OutputBuffer

    data_dir = Path(PyMcaDataDir.PYMCA_DATA_DIR)
    config = ConfigDict.ConfigDict()
    config.read(str(data_dir / "Steel.cfg"))
    config["fit"]["stripalgorithm"] = 1  # the fast fit needs the SNIP background
    # The shipped steel spectrum, 4 channels summed into one to keep the output small: the
    # calibration and the fitted channel range follow.
    spectrum = _steel_spectrum(data_dir / "Steel.spe").reshape(-1, 4).sum(axis=1)
    detector = config["detector"]
    detector["zero"] = float(detector["zero"]) + 1.5 * float(detector["gain"])
    detector["gain"] = 4 * float(detector["gain"])
    config["fit"]["xmin"] = int(config["fit"]["xmin"]) // 4
    config["fit"]["xmax"] = int(config["fit"]["xmax"]) // 4
    # A 2 x 3 map: the spectrum scaled pixel by pixel.
    scale = np.linspace(0.5, 1.5, 6).reshape(2, 3, 1)
    stack = (spectrum[None, None, :] * scale).astype(np.float32)

    fast = FastXRFLinearFit.FastXRFLinearFit()
    fast.setFitConfiguration(config)
    outdir = tmp / "pymca_out"
    outbuffer = OutputBuffer(outputDir=str(outdir), outputRoot="pymca_fit", fileEntry="steel",
                             fileProcess="fastfit", diagnostics=1, tif=0, edf=0, csv=0, h5=1,
                             dat=0, multipage=0, overwrite=1)
    with outbuffer.saveContext():
        fast.fitMultipleSpectra(y=stack, weight=0, refit=1, concentrations=0,
                                outbuffer=outbuffer)
    written = sorted(outdir.rglob("*.h5"))
    print("PyMca wrote", [str(p) for p in written])
    shutil.copyfile(written[0], HERE / "pymca_fastfit.h5")
    return ["pymca_fastfit.h5"]


def _steel_spectrum(path: Path) -> np.ndarray:
    """The counts of the .spe file PyMca ships (a $DATA: block after its header lines)."""
    lines = path.read_text().splitlines()
    start = lines.index("$DATA:") + 2
    values = []
    for line in lines[start:]:
        if line.startswith("$"):
            break
        values.extend(float(v) for v in line.split())
    return np.asarray(values)


# --- a Bliss-like master file with external links ------------------------------------------------

def bliss_files(tmp: Path) -> list[str]:
    """The files of one Bliss dataset, and the collection file that gathers its scans.

    As Bliss writes them: the dataset file ``sample_0001/sample_0001.h5`` holds one entry per
    scan (``1.1``, ``2.1``) whose detector data are external links into the files LIMA wrote in
    one subfolder per scan, ``measurement`` is an NXcollection of links, and the collection file
    ``sample.h5`` one folder up has no data of its own: each of its entries is an external link
    to an entry of a dataset file.
    """
    folder = HERE / "bliss"
    if folder.exists():
        shutil.rmtree(folder)
    dataset = folder / "sample_0001"
    str_t = h5py.string_dtype()
    for scan in ("scan0001", "scan0002"):  # what LIMA writes: one file per detector and scan
        (dataset / scan).mkdir(parents=True)
        with h5py.File(dataset / scan / "eiger_0000.h5", "w") as lima:
            lima.attrs["NX_class"] = "NXroot"
            lima.attrs["creator"] = "LIMA-1.9.21"
            entry = lima.create_group("entry_0000")
            entry.attrs["NX_class"] = "NXentry"
            entry["start_time"] = np.bytes_(b"2023-11-14T10:01:00.000000+01:00")
            inst = entry.create_group("instrument")
            inst.attrs["NX_class"] = "NXinstrument"
            det = inst.create_group("eiger")
            det.attrs["NX_class"] = "NXdetector"
            frames = (np.arange(5 * 8 * 10) % 7).reshape(5, 8, 10).astype(np.uint32)
            det.create_dataset("data", data=frames, chunks=(1, 8, 10))
            meas = entry.create_group("measurement")
            meas.attrs["NX_class"] = "NXcollection"
            meas["data"] = h5py.SoftLink("/entry_0000/instrument/eiger/data")
            plot = entry.create_group("plot")
            plot.attrs["NX_class"] = "NXdata"
            plot.attrs["signal"] = "data"
            plot["data"] = h5py.SoftLink("/entry_0000/instrument/eiger/data")
            det["data"].attrs["interpretation"] = "image"

    with h5py.File(dataset / "sample_0001.h5", "w") as master:
        _bliss_root(master, dataset / "sample_0001.h5")
        master.attrs["default"] = "2.1"
        for number, (scan, title) in enumerate((("scan0001", "ascan samx 0 1 4 0.1"),
                                                ("scan0002", "loopscan 5 0.1")), start=1):
            entry = master.create_group(f"{number}.1")
            entry.attrs["NX_class"] = "NXentry"
            entry.attrs["default"] = "plotselect"
            entry.create_dataset("title", data=title, dtype=str_t)
            entry.create_dataset("start_time", data="2023-11-14T10:01:00.000000+01:00",
                                 dtype=str_t)
            entry.create_dataset("end_time", data="2023-11-14T10:01:02.000000+01:00",
                                 dtype=str_t)
            instrument = entry.create_group("instrument")
            instrument.attrs["NX_class"] = "NXinstrument"
            instrument.create_dataset("name", data="ESRF-ID00", dtype=str_t)
            positioners = instrument.create_group("positioners")
            positioners.attrs["NX_class"] = "NXcollection"
            start = instrument.create_group("positioners_start")
            start.attrs["NX_class"] = "NXcollection"
            samx = np.linspace(0, 1, 5)
            for name, value in (("samx", samx if number == 1 else 0.5), ("samy", 1.5)):
                d = positioners.create_dataset(name, data=value)
                d.attrs["units"] = "mm"
                d = start.create_dataset(name, data=samx[0] if name == "samx" else value)
                d.attrs["units"] = "mm"
            mon = instrument.create_group("mon")
            mon.attrs["NX_class"] = "NXdetector"
            mon.create_dataset("data", data=np.array([1000., 1001, 998, 1002, 1000]))
            mon["data"].attrs["units"] = "counts"
            eiger = instrument.create_group("eiger")
            eiger.attrs["NX_class"] = "NXdetector"
            eiger["data"] = h5py.ExternalLink(f"{scan}/eiger_0000.h5",
                                              "/entry_0000/measurement/data")
            eiger.create_dataset("type", data="lima", dtype=str_t)
            measurement = entry.create_group("measurement")
            measurement.attrs["NX_class"] = "NXcollection"
            measurement["mon"] = h5py.SoftLink(f"/{number}.1/instrument/mon/data")
            measurement["eiger"] = h5py.ExternalLink(f"{scan}/eiger_0000.h5",
                                                     "/entry_0000/measurement/data")
            if number == 1:
                measurement["samx"] = h5py.SoftLink("/1.1/instrument/positioners/samx")
            plot = entry.create_group("plotselect")
            plot.attrs["NX_class"] = "NXdata"
            plot.attrs["signal"] = "mon"
            plot["mon"] = h5py.SoftLink(f"/{number}.1/instrument/mon/data")
            if number == 1:
                plot.attrs["axes"] = ["samx"]
                plot["samx"] = h5py.SoftLink("/1.1/instrument/positioners/samx")
            sample = entry.create_group("sample")
            sample.attrs["NX_class"] = "NXsample"
            sample.create_dataset("name", data="sample", dtype=str_t)

    with h5py.File(folder / "sample.h5", "w") as collection:
        _bliss_root(collection, folder / "sample.h5")
        for number in (1, 2):
            collection[f"sample_0001_{number}.1"] = h5py.ExternalLink(
                "sample_0001/sample_0001.h5", f"/{number}.1")
    return ["bliss/sample.h5", "bliss/sample_0001/sample_0001.h5",
            "bliss/sample_0001/scan0001/eiger_0000.h5",
            "bliss/sample_0001/scan0002/eiger_0000.h5"]


def _bliss_root(f: h5py.File, path: Path) -> None:
    f.attrs["NX_class"] = "NXroot"
    f.attrs["creator"] = "Bliss"
    f.attrs["creator_version"] = "1.11.0"
    f.attrs["publisher"] = "bliss"
    f.attrs["file_name"] = f"/data/visitor/id001234/id00/sample/{path.name}"
    f.attrs["file_time"] = "2023-11-14T10:00:59.000000+01:00"
    f.attrs["HDF5_Version"] = h5py.version.hdf5_version
    f.attrs["h5py_version"] = h5py.version.version


def main() -> None:
    import fabio
    import PyMca5
    import pyFAI
    import silx

    versions = {"python": sys.version.split()[0], "silx": silx.version, "fabio": fabio.version,
                "pyFAI": pyFAI.version, "PyMca5": PyMca5.version(), "h5py": h5py.version.version,
                "hdf5": h5py.version.hdf5_version, "numpy": np.__version__}
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        made = silx_files(tmp) + pyfai_files(tmp) + pymca_files(tmp) + bliss_files(tmp)
    edf_silx = subprocess.run([str(SILX_FOR_EDF.parent / "python"), "-c", "import silx, fabio; "
                               "print(silx.version, fabio.version)"], capture_output=True,
                              text=True, check=True).stdout.split()
    versions["silx (EDF conversions)"] = f"{edf_silx[0]} with fabio {edf_silx[1]}"
    lines = [f"{k}: {v}" for k, v in versions.items()]
    lines += [f"{name}: {(HERE / name).stat().st_size} bytes" for name in made]
    (HERE / "versions.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
