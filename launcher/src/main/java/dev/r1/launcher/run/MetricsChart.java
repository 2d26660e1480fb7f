package dev.r1.launcher.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG of a job's metric series (reward, accuracy, completion length) over its steps, one panel
 * each, with dashed lines where a pipeline moves to its next stage. Drawn with Java2D, headless.
 */
final class MetricsChart {

  /** A panel: its title, the series it draws and the colour. */
  record Panel(String title, String series, Color color) {}

  static final List<Panel> PANELS =
      List.of(
          new Panel("Reward (mean)", "reward_mean", new Color(0x1f5fd1)),
          new Panel("Accuracy (training samples)", "rewards.accuracy.mean", new Color(0x17803d)),
          new Panel("Completion length (tokens)", "completion_length_mean", new Color(0x9a6700)),
          new Panel("Loss (SFT and distillation stages)", "loss", new Color(0xb42318)));

  private static final int W = 960;
  private static final int PANEL_H = 220;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 34;
  private static final int BOTTOM = 30;

  private MetricsChart() {}

  /**
   * Writes the chart of {@code metrics} (the gateway's {@code /v1/jobs/{id}/metrics} object) to
   * {@code png}; returns how many points each panel drew, in {@link #PANELS} order.
   */
  static int[] write(JsonNode metrics, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int h = TOP + PANELS.size() * PANEL_H + 10;
    BufferedImage img = new BufferedImage(W, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    int[] drawn = new int[PANELS.size()];
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, W, h);
      g.setColor(new Color(0x1d2330));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString(title, LEFT, 22);
      List<Double> stage = series(metrics, "stage");
      for (int p = 0; p < PANELS.size(); p++) {
        drawn[p] =
            panel(
                g,
                PANELS.get(p),
                series(metrics, PANELS.get(p).series()),
                stage,
                TOP + p * PANEL_H);
      }
    } finally {
      g.dispose();
    }
    Files.createDirectories(png.toAbsolutePath().getParent());
    ImageIO.write(img, "png", png.toFile());
    return drawn;
  }

  static List<Double> series(JsonNode metrics, String name) {
    List<Double> out = new ArrayList<>();
    JsonNode s = metrics.path("series").path(name);
    if (s.isArray()) {
      s.forEach(v -> out.add(v.isNumber() ? v.asDouble() : null));
    }
    return out;
  }

  /**
   * One panel. Only the points where the series has a value are drawn, side by side (a pipeline's
   * SFT stages have no reward, its GRPO stages no SFT loss), with a dashed line where the stage
   * changes between two of them.
   */
  private static int panel(
      Graphics2D g, Panel panel, List<Double> allYs, List<Double> allStages, int y0) {
    List<Double> ys = new ArrayList<>();
    List<Double> stage = new ArrayList<>();
    for (int i = 0; i < allYs.size(); i++) {
      Double v = allYs.get(i);
      if (v != null && Double.isFinite(v)) {
        ys.add(v);
        stage.add(i < allStages.size() ? allStages.get(i) : null);
      }
    }
    int x0 = LEFT;
    int x1 = W - RIGHT;
    int top = y0 + 22;
    int bottom = y0 + PANEL_H - BOTTOM;
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.setColor(new Color(0x1d2330));
    g.drawString(panel.title(), x0, y0 + 14);
    g.setColor(new Color(0xfbfcfd));
    g.fillRect(x0, top, x1 - x0, bottom - top);
    g.setColor(new Color(0xc5cbd3));
    g.drawRect(x0, top, x1 - x0, bottom - top);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Double v : ys) {
      if (v != null && Double.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    int n = ys.size();
    if (min > max) {
      g.setColor(new Color(0x5b6472));
      g.drawString("no data", x0 + 8, (top + bottom) / 2);
      return 0;
    }
    if (max - min < 1e-9) {
      max = min + 1;
    }
    double span = max - min;
    g.setColor(new Color(0x5b6472));
    for (int t = 0; t <= 4; t++) {
      double v = min + span * t / 4;
      int y = (int) Math.round(bottom - (bottom - top) * (double) t / 4);
      g.drawString(String.format(Locale.ROOT, "%.3g", v), 6, y + 4);
      g.setColor(new Color(0xe3e6ea));
      g.drawLine(x0 + 1, y, x1 - 1, y);
      g.setColor(new Color(0x5b6472));
    }
    g.drawString("0", x0, bottom + 16);
    g.drawString(String.valueOf(Math.max(0, n - 1)), x1 - 24, bottom + 16);
    g.drawString("step (the stages that report it, in order)", (x0 + x1) / 2 - 100, bottom + 16);
    double dx = n <= 1 ? 0 : (double) (x1 - x0) / (n - 1);
    g.setStroke(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
    g.setColor(new Color(0xa0a8b4));
    for (int i = 1; i < Math.min(n, stage.size()); i++) {
      if (stage.get(i) != null
          && stage.get(i - 1) != null
          && !stage.get(i).equals(stage.get(i - 1))) {
        int x = (int) Math.round(x0 + i * dx);
        g.drawLine(x, top, x, bottom);
        g.drawString("stage " + stage.get(i).intValue(), x + 3, top + 12);
      }
    }
    Path2D.Double line = new Path2D.Double();
    int points = 0;
    boolean pen = false;
    for (int i = 0; i < n; i++) {
      Double v = ys.get(i);
      if (v == null || !Double.isFinite(v)) {
        pen = false;
        continue;
      }
      double x = x0 + i * dx;
      double y = bottom - (v - min) / span * (bottom - top);
      if (pen) {
        line.lineTo(x, y);
      } else {
        line.moveTo(x, y);
        pen = true;
      }
      points++;
    }
    g.setStroke(new BasicStroke(2f));
    g.setColor(panel.color());
    g.draw(line);
    if (points == 1) {
      g.fillOval(
          (int) line.getCurrentPoint().getX() - 3, (int) line.getCurrentPoint().getY() - 3, 6, 6);
    }
    return points;
  }
}
