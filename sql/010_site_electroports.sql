-- 010: shop-wide comments, for the ElectroPorts site (its /reviews are
-- comments on the shop, not on a product).  They are reviews without a
-- product: the same table, owner and audit trail as product reviews.  A
-- product review keeps its rating (1 to 5, one per user and product); a
-- shop-wide comment has a comment and no rating, and a user may write
-- many (NULL product ids never collide in uq_reviews_product_user).
ALTER TABLE reviews
  MODIFY product_id BIGINT UNSIGNED NULL,
  MODIFY rating TINYINT NULL,
  ADD KEY ix_reviews_product_id (product_id, id),
  ADD CONSTRAINT ck_reviews_product_rating
    CHECK (product_id IS NULL OR rating IS NOT NULL),
  ADD CONSTRAINT ck_reviews_shop_comment
    CHECK (product_id IS NOT NULL OR (rating IS NULL AND comment IS NOT NULL));
