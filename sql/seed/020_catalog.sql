-- Demo catalog for the shop (ElectroPorts & Pins), loaded only while the
-- catalog is empty: every statement is guarded by @shop_empty, taken once
-- up front, so a second run (or a catalog an admin filled) changes nothing.
-- The pictures are the project's own drawings under www/img/shop/.
SET @shop_empty = (SELECT COUNT(*) = 0 FROM products);

INSERT IGNORE INTO brands (name)
SELECT v.name FROM (
  SELECT 'Samsung' AS name UNION ALL SELECT 'Apple' UNION ALL
  SELECT 'Lenovo' UNION ALL SELECT 'Anker' UNION ALL SELECT 'JBL'
) v WHERE @shop_empty;

INSERT INTO products (kind, brand_id, name, price, stock, status,
                      image_url, description, attributes)
SELECT v.kind, b.id, v.name, v.price, v.stock, v.status, v.image_url,
       v.description, v.attributes
FROM (
  SELECT 'phone' AS kind, 'Samsung' AS brand, 'Galaxy S23' AS name,
         79900 AS price, 12 AS stock, 'new' AS status,
         '/img/shop/galaxy-s23.svg' AS image_url,
         '6.1-inch phone with a 50 MP camera' AS description,
         '{"storage_gb": 128, "ram_gb": 8}' AS attributes
  UNION ALL SELECT 'phone', 'Apple', 'iPhone 13', 59900, 5, 'used',
         '/img/shop/iphone-13.svg', 'Refurbished, battery above 90 percent',
         '{"storage_gb": 128}'
  UNION ALL SELECT 'laptop', 'Lenovo', 'ThinkPad X1 Carbon', 149900, 4, 'new',
         '/img/shop/x1-carbon.svg', '14-inch business ultrabook',
         '{"ram_gb": 16, "cpu": "i7-1365U"}'
  UNION ALL SELECT 'laptop', 'Apple', 'MacBook Air M2', 119900, 6, 'new',
         '/img/shop/macbook-air-m2.svg', '13.6-inch laptop, fanless',
         '{"ram_gb": 8, "storage_gb": 256}'
  UNION ALL SELECT 'accessory', 'Anker', 'USB-C charger 30 W', 2499, 40, 'new',
         '/img/shop/anker-30w.svg', 'Compact USB-C power delivery charger',
         '{"power_w": 30}'
  UNION ALL SELECT 'accessory', 'Samsung', 'Galaxy S23 clear case', 1999, 25,
         'new', '/img/shop/s23-case.svg', 'Slim transparent case', '{}'
  UNION ALL SELECT 'sound_device', 'JBL', 'Flip 6 speaker', 12999, 15, 'new',
         '/img/shop/jbl-flip6.svg', 'Portable waterproof Bluetooth speaker',
         '{"power_w": 30, "battery_h": 12}'
  UNION ALL SELECT 'sound_device', 'Samsung', 'Galaxy Buds2', 9999, 20, 'new',
         '/img/shop/buds2.svg', 'Wireless earbuds with noise cancelling',
         '{"anc": true}'
) v JOIN brands b ON b.name = v.brand
WHERE @shop_empty;

INSERT IGNORE INTO product_compat (accessory_id, product_id)
SELECT a.id, p.id FROM products a JOIN products p
  ON (a.name = 'USB-C charger 30 W'
      AND p.name IN ('Galaxy S23', 'iPhone 13', 'MacBook Air M2'))
  OR (a.name = 'Galaxy S23 clear case' AND p.name = 'Galaxy S23')
WHERE @shop_empty;

-- Catalogs seeded before the drawings named /img/*.jpg files that were
-- never shipped: point those rows at the drawings (a no-op otherwise).
UPDATE products p JOIN (
  SELECT '/img/galaxy-s23.jpg' AS old_url, '/img/shop/galaxy-s23.svg' AS url
  UNION ALL SELECT '/img/iphone-13.jpg', '/img/shop/iphone-13.svg'
  UNION ALL SELECT '/img/x1-carbon.jpg', '/img/shop/x1-carbon.svg'
  UNION ALL SELECT '/img/macbook-air-m2.jpg', '/img/shop/macbook-air-m2.svg'
  UNION ALL SELECT '/img/anker-30w.jpg', '/img/shop/anker-30w.svg'
  UNION ALL SELECT '/img/s23-case.jpg', '/img/shop/s23-case.svg'
  UNION ALL SELECT '/img/jbl-flip6.jpg', '/img/shop/jbl-flip6.svg'
  UNION ALL SELECT '/img/buds2.jpg', '/img/shop/buds2.svg'
) v ON p.image_url = v.old_url
SET p.image_url = v.url, p.version = p.version + 1;
